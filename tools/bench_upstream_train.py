#!/usr/bin/python3
"""Seconds per HRNet training step of MSeg's own PyTorch code on this CPU: the upstream side of `bench train`.

Not part of the product (the build never runs Python). It exists so that the README compares Java with PyTorch only
on numbers taken on one machine in one run; tools/bench_vs_upstream.sh runs it interleaved with
`mseg-cli bench train`. Run it with Debian's Python (/usr/bin/python3) after
`apt-get install -y python3-torch python3-opencv python3-numpy python3-yaml python3-imageio`.

It times the work that `mseg-cli bench train --width 48 --crop 257 --batch 2` times on its fixed batch in fp32:

* HRNetV2-W48 with 194 output classes (the universal taxonomy), BatchNorm in train mode, upstream's weight init;
* one fixed batch of B normalised RGB crops S x S, labels in 0..193 with 5 % ignored (255), fed again every step;
* one step = upstream's forward (logits upsampled to the crop, CrossEntropyLoss(ignore_index=255) inside the model),
  zero_grad, backward, SGD update (momentum 0.9, weight decay 1e-4, poly learning rate from 0.01, power 0.9), and
  the loss read back as a number;
* one untimed warm-up step, then the median of --steps timed steps;
* torch.set_num_threads(--threads), by default the number of CPUs, as TensorFlow's default intra-op pool in Java.

With --upstream DIR (a checkout of the `training` branch of mseg-dataset/mseg-semantic, see tools/upstream_compat.py)
every piece of the step is upstream's own code: the hyper-parameters come from its release config
(config/train/1080_release/mseg-relabeled-1m.yaml, via mseg_semantic.utils.config), the model from
tool/train.py get_model (seg_hrnet.get_configured_hrnet, which reads model/seg_hrnet.yaml), the optimizer from
get_optimizer, forward/backward from forward_backward_full_sync, the learning rate from
utils/training_utils.poly_learning_rate. Only the per-step metric accumulation on the GPU (update_metrics_gpu), the
logging and the distributed all-reduce of train() are left out; the Java step does not do them either. Upstream's
model is W48 only. Without --upstream, the script falls back to the project's module-for-module mirror of
seg_hrnet.py in tools/make_hrnet_fixtures.py with the same optimizer settings. The JSON field "model_source" says
which ran, "notes" lists every shim.
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in tools/ or in the upstream checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import upstream_compat  # noqa: E402  (the tools folder is not a package)

RELEASE_CONFIG = 'mseg_semantic/config/train/1080_release/mseg-relabeled-1m.yaml'


def upstream_step(checkout, classes, max_iter):
    """Model and step function built from upstream's train.py; returns (model, step, source, notes)."""
    notes = upstream_compat.import_upstream(checkout)
    from mseg_semantic.utils import config
    from mseg_semantic.utils.training_utils import poly_learning_rate
    import torch.nn as nn
    train = upstream_compat.import_train_module()
    args = config.load_cfg_from_cfg_file(os.path.join(os.path.abspath(checkout), RELEASE_CONFIG))
    args.classes = classes  # main_worker sets this from TaxonomyConverter.num_uclasses (194)
    args.multiprocessing_distributed = False  # one process: no all-reduce, no apex loss scaling
    args.max_iters = max_iter
    criterion = nn.CrossEntropyLoss(ignore_index=args.ignore_label)
    model = train.get_model(args, criterion, nn.BatchNorm2d)
    optimizer = train.get_optimizer(args, model)
    train.args = args  # train.py keeps its arguments in a module global

    def step(x, y, i):
        _, loss, main_loss, aux_loss = train.forward_backward_full_sync(x, y, model, optimizer, args)
        optimizer.step()
        values = (main_loss.item(), aux_loss.item(), loss.item())  # train() feeds its meters with these
        optimizer.param_groups[0]['lr'] = poly_learning_rate(args.base_lr, i + 1, args.max_iters,
                                                             power=args.power)
        return values[2]

    notes.append('hyper-parameters from ' + RELEASE_CONFIG + ': base_lr %s, momentum %s, weight_decay %s, power %s,'
                 ' aux_weight %s' % (args.base_lr, args.momentum, args.weight_decay, args.power, args.aux_weight))
    return model, step, 'upstream training branch: tool/train.py get_model/get_optimizer/' \
                        'forward_backward_full_sync, model/seg_hrnet.py', notes


def mirror_step(width, classes, max_iter):
    """The project's mirror of seg_hrnet.py with upstream's init, loss and optimizer settings."""
    import torch
    import torch.nn as nn
    import make_hrnet_fixtures as mirror
    spec = dict(mirror.W48, width=width, numClasses=classes)
    model = mirror.HighResolutionNet(spec)
    for m in model.modules():  # upstream's init_weights
        if isinstance(m, nn.Conv2d):
            nn.init.normal_(m.weight, std=0.001)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)
    criterion = nn.CrossEntropyLoss(ignore_index=255)
    base_lr = 0.01
    optimizer = torch.optim.SGD(model.parameters(), lr=base_lr, momentum=0.9, weight_decay=1e-4)

    def step(x, y, i):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        value = loss.item()
        optimizer.param_groups[0]['lr'] = base_lr * (1 - (i + 1) / max_iter) ** 0.9
        return value

    return model, step, 'mirror tools/make_hrnet_fixtures.py', \
        ['no --upstream checkout given: the project mirror of seg_hrnet.py ran, not upstream code']


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--upstream', metavar='DIR', help='checkout of the training branch of mseg-dataset/mseg-semantic')
    p.add_argument('--width', type=int, default=48, help='HRNet width (default 48; upstream has only 48)')
    p.add_argument('--crop', type=int, default=257, help='square crop, 8k+1 (default 257)')
    p.add_argument('--batch', type=int, default=2, help='crops per step (default 2)')
    p.add_argument('--steps', type=int, default=3, help='timed steps after one warm-up step (default 3)')
    p.add_argument('--classes', type=int, default=194, help='output classes (default 194, universal taxonomy)')
    p.add_argument('--threads', type=int, default=os.cpu_count() or 1,
                   help='torch.set_num_threads (default: the number of CPUs, like TensorFlow in Java)')
    a = p.parse_args()
    if (a.crop - 1) % 8 != 0:
        p.error('--crop must be 8k+1, got %d' % a.crop)
    if a.upstream and a.width != 48:
        p.error('--width %d: upstream configures HRNet-W48 only' % a.width)
    if a.steps < 1 or a.batch < 1:
        p.error('--steps and --batch must be at least 1')

    import torch
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    max_iter = 2 * (a.steps + 1)  # as `bench train`: PolyLrSchedule(0.01, 2 * (steps + 1), 0.9)
    if a.upstream:
        model, step, source, notes = upstream_step(a.upstream, a.classes, max_iter)
    else:
        model, step, source, notes = mirror_step(a.width, a.classes, max_iter)
    model.train()

    g = torch.Generator().manual_seed(1)
    x = torch.randn(a.batch, 3, a.crop, a.crop, generator=g)
    y = torch.randint(0, a.classes, (a.batch, a.crop, a.crop), generator=g, dtype=torch.int64)
    y[torch.rand(a.batch, a.crop, a.crop, generator=g) < 0.05] = 255

    times, losses = [], []
    for i in range(a.steps + 1):
        t0 = time.perf_counter()
        losses.append(step(x, y, i))
        if i > 0:
            times.append(time.perf_counter() - t0)

    print(json.dumps({
        'tool': 'bench_upstream_train',
        'model_source': source,
        'notes': notes,
        'torch': torch.__version__,
        'threads': torch.get_num_threads(),
        'omp_wait_policy': os.environ.get('OMP_WAIT_POLICY'),
        'cpu': upstream_compat.cpu_model(),
        'variant': 'w%d' % a.width,
        'classes': a.classes,
        'params': sum(t.numel() for t in model.parameters() if t.requires_grad),
        'crop': a.crop,
        'batch': a.batch,
        'steps': a.steps,
        'precision': 'fp32',
        's_per_step': round(statistics.median(times), 3),
        'step_seconds': [round(t, 3) for t in times],
        'losses': [round(v, 4) for v in losses],
        'load_average': upstream_compat.load_average(),
    }))


if __name__ == '__main__':
    main()
