#!/usr/bin/python3
"""Crops per second of MSeg's own Python + cv2 train chain on this CPU: the upstream side of `bench loader`.

Not part of the product (the build never runs Python). It exists so that the README compares the Java loader with
MSeg's chain only on numbers taken on one machine in one run; tools/bench_vs_upstream.sh runs it interleaved with
`mseg-cli bench loader --threads 1`. Run it with Debian's Python (/usr/bin/python3) after
`apt-get install -y python3-torch python3-opencv python3-numpy python3-yaml python3-imageio`.

It does the work of `mseg-cli bench loader --threads 1`: the same kind of generated data (K textured 1920 x 1080
JPEG images, written by cv2.imwrite at its default quality like the Java generator, with 8-bit PNG labels of 19
regions and scattered 255s, a Cityscapes list file) read and transformed one sample after the other, decoding
included, on one thread: cv2.setNumThreads(1) and torch.set_num_threads(1), as in a DataLoader worker process.
One warm-up sample, then as many samples as fit in --seconds.

With --upstream DIR (a checkout of the `training` branch of mseg-dataset/mseg-semantic, see tools/upstream_compat.py)
all of that is upstream's own code: the sample is read by utils/dataset.py SemData.__getitem__ (cv2.imread, BGR to
RGB, float32; imageio.imread for the label), and transformed by the chain that tool/train.py
get_dataset_split_transform(args, 'train') builds from the release config
(config/train/1080_release/mseg-relabeled-1m.yaml): ResizeShort(1080), RandScale(0.5, 2.0), RandRotate(-10, 10),
RandomGaussianBlur, RandomHorizontalFlip, Crop(713 x 713, rand), ToTensor, Normalize, ToUniversalLabel. Python's
random module is seeded with --seed. Upstream's DataLoader would add batching (collate) and inter-process transfer on
top; neither is timed here, nor in the Java 1-thread run beyond its own batching. The script needs the checkout.
Prints one JSON object.
"""

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in tools/ or in the upstream checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import upstream_compat  # noqa: E402  (the tools folder is not a package)

RELEASE_CONFIG = 'mseg_semantic/config/train/1080_release/mseg-relabeled-1m.yaml'
WIDTH, HEIGHT = 1920, 1080
DATASET = 'cityscapes-19'


def write_dataset(folder, list_path, count, np, cv2):
    """The images of BenchLoaderCommand.writeDataset: smooth waves plus sensor-like noise, 19 label regions."""
    rng = np.random.default_rng(2020)
    r = np.arange(HEIGHT, dtype=np.float64)[:, None]
    c = np.arange(WIDTH, dtype=np.float64)[None, :]
    ri = np.arange(HEIGHT)[:, None]
    ci = np.arange(WIDTH)[None, :]
    os.makedirs(os.path.join(folder, 'leftImg8bit'), exist_ok=True)
    os.makedirs(os.path.join(folder, 'gtFine'), exist_ok=True)
    lines = []
    for k in range(count):
        fx = 0.004 + 0.01 * rng.random()
        fy = 0.003 + 0.01 * rng.random()
        cell = 40 + 20 * k
        wave = 60 * np.sin(c * fx + k) * np.cos(r * fy)
        region = (ri // cell + ci // (cell + 17)) % 19
        noise = rng.integers(-12, 13, size=(HEIGHT, WIDTH))
        bgr = np.stack([90 + region * 7 + wave + noise,
                        120 + wave * 0.5 - region * 3 + noise,
                        60 + r * 120.0 / HEIGHT + region * 5 - wave + noise], axis=2)
        bgr = np.clip(np.trunc(bgr), 0, 255).astype(np.uint8)
        label = np.where((ri + ci) % 97 == 0, 255, region).astype(np.uint8)
        image = 'leftImg8bit/img_%d.jpg' % k
        label_name = 'gtFine/img_%d_gtFine_labelIds.png' % k
        if not (cv2.imwrite(os.path.join(folder, image), bgr)
                and cv2.imwrite(os.path.join(folder, label_name), label)):
            sys.exit('cannot write the benchmark images under %s; check the free space there' % folder)
        lines.append(image + ' ' + label_name)
    with open(list_path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--upstream', metavar='DIR', required=True,
                   help='checkout of the training branch of mseg-dataset/mseg-semantic')
    p.add_argument('--seconds', type=float, default=20, help='seconds measured after one warm-up sample (20)')
    p.add_argument('--images', type=int, default=6, help='generated image/label pairs (default 6)')
    p.add_argument('--seed', type=int, default=1, help='seed of Python\'s random module (default 1)')
    a = p.parse_args()
    if not a.seconds > 0 or a.images < 1:
        p.error('--seconds must be positive and --images at least 1')

    import cv2
    import numpy as np
    import torch
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    notes = upstream_compat.import_upstream(a.upstream)
    from mseg_semantic.utils import config
    from mseg_semantic.utils.dataset import SemData
    train = upstream_compat.import_train_module()
    args = config.load_cfg_from_cfg_file(os.path.join(os.path.abspath(a.upstream), RELEASE_CONFIG))
    args.dataset = [DATASET]  # one stream, universal labels: get_dataset_split_transform adds ToUniversalLabel
    chain = train.get_dataset_split_transform(args, 'train')
    names = [type(t).__name__ for t in chain.segtransform]

    tmp = tempfile.mkdtemp(prefix='mseg-bench-upstream-loader')
    try:
        root = os.path.join(tmp, 'Cityscapes')
        list_path = os.path.join(tmp, 'train.txt')
        write_dataset(root, list_path, a.images, np, cv2)
        with upstream_compat.redirect_stdout_to_stderr():  # make_dataset prints the list size
            data = SemData('train', root, list_path, chain)
        random.seed(a.seed)
        image, label = data[0]
        shape = [list(image.shape), list(label.shape)]
        cpu0, t0 = time.process_time(), time.perf_counter()
        deadline = t0 + a.seconds
        crops = 0
        while True:
            data[crops % len(data)]
            crops += 1
            now = time.perf_counter()
            if now >= deadline:
                break
        elapsed, cpu = now - t0, time.process_time() - cpu0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(json.dumps({
        'tool': 'bench_upstream_loader',
        'chain_source': 'upstream training branch: utils/dataset.py SemData, tool/train.py'
                        ' get_dataset_split_transform(args, "train") with ' + RELEASE_CONFIG,
        'chain': names,
        'notes': notes,
        'opencv': cv2.__version__,
        'torch': torch.__version__,
        'opencv_threads': cv2.getNumThreads(),
        'torch_threads': torch.get_num_threads(),
        'omp_wait_policy': os.environ.get('OMP_WAIT_POLICY'),
        'cpu': upstream_compat.cpu_model(),
        'image': '%dx%d' % (WIDTH, HEIGHT),
        'crop_shapes': shape,
        'crops': crops,
        'seconds': round(elapsed, 2),
        'crops_per_s': round(crops / elapsed, 2),
        'crops_per_cpu_s': round(crops / cpu, 2) if cpu > 0 else None,
        'load_average': upstream_compat.load_average(),
    }))


if __name__ == '__main__':
    main()
