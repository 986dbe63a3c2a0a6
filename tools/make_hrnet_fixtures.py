#!/usr/bin/env python3
"""Generate the HRNetV2 fidelity fixtures and the checkpoint-reader test files for mseg-hrnet-tf.

The product never runs Python; this script only produces committed test fixtures. It needs PyTorch and NumPy
(on Debian: ``apt-get install -y python3-torch python3-numpy``) and is deterministic for a given seed.

What it writes (default root: ``mseg-hrnet-tf/src/test/resources`` next to this script's repository root):

* ``fixtures/<name>/`` for every HRNet fixture: ``spec.json`` (architecture + input shape), ``model.pth``
  (a zip-format torch.save checkpoint), ``input.npy`` and ``logits.npy`` (float32, NCHW), ``expected_keys.txt``
  (sorted state_dict keys without any ``module.`` prefix) and ``checksums.json`` (per tensor: shape, dtype, first,
  last, sum and sum of absolute values, all computed in float64 from the stored values).
* ``fixtures/pth/``: small checkpoints exercising the reader (views sharing a storage, dtypes, nested Python
  values, legacy format, a refused global) with ``views.json`` describing the expected values.
* ``npy/``: .npy header and dtype variants, written into mseg-pytorch-io's test resources (``--npy-out``).

The HRNet below mirrors mseg-semantic's ``mseg_semantic/model/seg_hrnet.py`` module for module, so the
state_dict keys are the ones of MSeg's released checkpoints. Only the widths and depths are parameters.
"""

import argparse
import collections
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BN_MOMENTUM = 0.01
BN_EPS = 1e-5


# ----------------------------------------------------------------------------------------------------------------
# HRNetV2 (same module tree as mseg-semantic seg_hrnet.py)
# ----------------------------------------------------------------------------------------------------------------

def conv3x3(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def batch_norm(channels):
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = batch_norm(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = batch_norm(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        residual = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            residual = self.downsample(x)
        return self.relu(out + residual)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, kernel_size=1, bias=False)
        self.bn1 = batch_norm(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn2 = batch_norm(planes)
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, kernel_size=1, bias=False)
        self.bn3 = batch_norm(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        residual = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            residual = self.downsample(x)
        return self.relu(out + residual)


class HighResolutionModule(nn.Module):
    def __init__(self, num_branches, block, num_blocks, num_inchannels, num_channels, multi_scale_output=True):
        super().__init__()
        self.num_inchannels = list(num_inchannels)
        self.num_branches = num_branches
        self.multi_scale_output = multi_scale_output
        self.branches = self._make_branches(num_branches, block, num_blocks, num_channels)
        self.fuse_layers = self._make_fuse_layers()
        self.relu = nn.ReLU(inplace=True)

    def _make_one_branch(self, branch_index, block, num_blocks, num_channels, stride=1):
        downsample = None
        if stride != 1 or self.num_inchannels[branch_index] != num_channels[branch_index] * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.num_inchannels[branch_index], num_channels[branch_index] * block.expansion,
                          kernel_size=1, stride=stride, bias=False),
                batch_norm(num_channels[branch_index] * block.expansion))
        layers = [block(self.num_inchannels[branch_index], num_channels[branch_index], stride, downsample)]
        self.num_inchannels[branch_index] = num_channels[branch_index] * block.expansion
        for _ in range(1, num_blocks[branch_index]):
            layers.append(block(self.num_inchannels[branch_index], num_channels[branch_index]))
        return nn.Sequential(*layers)

    def _make_branches(self, num_branches, block, num_blocks, num_channels):
        return nn.ModuleList([self._make_one_branch(i, block, num_blocks, num_channels) for i in range(num_branches)])

    def _make_fuse_layers(self):
        if self.num_branches == 1:
            return None
        num_branches = self.num_branches
        num_inchannels = self.num_inchannels
        fuse_layers = []
        for i in range(num_branches if self.multi_scale_output else 1):
            fuse_layer = []
            for j in range(num_branches):
                if j > i:
                    fuse_layer.append(nn.Sequential(
                        nn.Conv2d(num_inchannels[j], num_inchannels[i], 1, 1, 0, bias=False),
                        batch_norm(num_inchannels[i])))
                elif j == i:
                    fuse_layer.append(None)
                else:
                    conv3x3s = []
                    for k in range(i - j):
                        if k == i - j - 1:
                            out_channels = num_inchannels[i]
                            conv3x3s.append(nn.Sequential(
                                nn.Conv2d(num_inchannels[j], out_channels, 3, 2, 1, bias=False),
                                batch_norm(out_channels)))
                        else:
                            out_channels = num_inchannels[j]
                            conv3x3s.append(nn.Sequential(
                                nn.Conv2d(num_inchannels[j], out_channels, 3, 2, 1, bias=False),
                                batch_norm(out_channels),
                                nn.ReLU(inplace=False)))
                    fuse_layer.append(nn.Sequential(*conv3x3s))
            fuse_layers.append(nn.ModuleList(fuse_layer))
        return nn.ModuleList(fuse_layers)

    def get_num_inchannels(self):
        return self.num_inchannels

    def forward(self, x):
        if self.num_branches == 1:
            return [self.branches[0](x[0])]
        for i in range(self.num_branches):
            x[i] = self.branches[i](x[i])
        x_fuse = []
        for i in range(len(self.fuse_layers)):
            y = x[0] if i == 0 else self.fuse_layers[i][0](x[0])
            for j in range(1, self.num_branches):
                if i == j:
                    y = y + x[j]
                elif j > i:
                    y = y + F.interpolate(self.fuse_layers[i][j](x[j]), size=[x[i].shape[-2], x[i].shape[-1]],
                                          mode='bilinear', align_corners=False)
                else:
                    y = y + self.fuse_layers[i][j](x[j])
            x_fuse.append(self.relu(y))
        return x_fuse


class HighResolutionNet(nn.Module):
    """HRNetV2 segmentation network; the W48 configuration is stem 64, planes 64, 4 blocks, width 48, 4 blocks per
    branch, modules [1, 4, 3]."""

    def __init__(self, spec):
        super().__init__()
        stem = spec['stemChannels']
        w = spec['width']
        bpb = spec['blocksPerBranch']
        modules = spec['modules']
        self.conv1 = nn.Conv2d(3, stem, kernel_size=3, stride=2, padding=1, bias=False)
        self.bn1 = batch_norm(stem)
        self.conv2 = nn.Conv2d(stem, stem, kernel_size=3, stride=2, padding=1, bias=False)
        self.bn2 = batch_norm(stem)
        self.relu = nn.ReLU(inplace=True)

        self.layer1 = self._make_layer(Bottleneck, stem, spec['stage1Planes'], spec['stage1Blocks'])
        stage1_out_channel = Bottleneck.expansion * spec['stage1Planes']

        self.stage_branches = [2, 3, 4]
        channels2 = [w, 2 * w]
        self.transition1 = self._make_transition_layer([stage1_out_channel], channels2)
        self.stage2, pre = self._make_stage(modules[0], 2, [bpb] * 2, channels2)

        channels3 = [w, 2 * w, 4 * w]
        self.transition2 = self._make_transition_layer(pre, channels3)
        self.stage3, pre = self._make_stage(modules[1], 3, [bpb] * 3, channels3)

        channels4 = [w, 2 * w, 4 * w, 8 * w]
        self.transition3 = self._make_transition_layer(pre, channels4)
        self.stage4, pre = self._make_stage(modules[2], 4, [bpb] * 4, channels4, multi_scale_output=True)

        last_inp_channels = int(np.sum(pre))
        self.last_layer = nn.Sequential(
            nn.Conv2d(last_inp_channels, last_inp_channels, kernel_size=1, stride=1, padding=0),
            batch_norm(last_inp_channels),
            nn.ReLU(inplace=False),
            nn.Conv2d(last_inp_channels, spec['numClasses'], kernel_size=1, stride=1, padding=0))

    @staticmethod
    def _make_transition_layer(num_channels_pre_layer, num_channels_cur_layer):
        num_branches_cur = len(num_channels_cur_layer)
        num_branches_pre = len(num_channels_pre_layer)
        transition_layers = []
        for i in range(num_branches_cur):
            if i < num_branches_pre:
                if num_channels_cur_layer[i] != num_channels_pre_layer[i]:
                    transition_layers.append(nn.Sequential(
                        nn.Conv2d(num_channels_pre_layer[i], num_channels_cur_layer[i], 3, 1, 1, bias=False),
                        batch_norm(num_channels_cur_layer[i]),
                        nn.ReLU(inplace=False)))
                else:
                    transition_layers.append(None)
            else:
                conv3x3s = []
                for j in range(i + 1 - num_branches_pre):
                    inchannels = num_channels_pre_layer[-1]
                    outchannels = num_channels_cur_layer[i] if j == i - num_branches_pre else inchannels
                    conv3x3s.append(nn.Sequential(
                        nn.Conv2d(inchannels, outchannels, 3, 2, 1, bias=False),
                        batch_norm(outchannels),
                        nn.ReLU(inplace=False)))
                transition_layers.append(nn.Sequential(*conv3x3s))
        return nn.ModuleList(transition_layers)

    @staticmethod
    def _make_layer(block, inplanes, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(inplanes, planes * block.expansion, kernel_size=1, stride=stride, bias=False),
                batch_norm(planes * block.expansion))
        layers = [block(inplanes, planes, stride, downsample)]
        inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(inplanes, planes))
        return nn.Sequential(*layers)

    @staticmethod
    def _make_stage(num_modules, num_branches, num_blocks, num_inchannels, multi_scale_output=True):
        modules = []
        for i in range(num_modules):
            reset_multi_scale_output = not (not multi_scale_output and i == num_modules - 1)
            modules.append(HighResolutionModule(num_branches, BasicBlock, num_blocks, num_inchannels,
                                                num_inchannels, reset_multi_scale_output))
            num_inchannels = modules[-1].get_num_inchannels()
        return nn.Sequential(*modules), num_inchannels

    def forward(self, x):
        h, w = x.shape[2], x.shape[3]
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.relu(self.bn2(self.conv2(x)))
        x = self.layer1(x)

        x_list = []
        for i in range(2):
            x_list.append(self.transition1[i](x) if self.transition1[i] is not None else x)
        y_list = self.stage2(x_list)

        x_list = []
        for i in range(3):
            x_list.append(self.transition2[i](y_list[-1]) if self.transition2[i] is not None else y_list[i])
        y_list = self.stage3(x_list)

        x_list = []
        for i in range(4):
            x_list.append(self.transition3[i](y_list[-1]) if self.transition3[i] is not None else y_list[i])
        x = self.stage4(x_list)

        x0_h, x0_w = x[0].size(2), x[0].size(3)
        ups = [F.interpolate(x[k], size=(x0_h, x0_w), mode='bilinear', align_corners=False) for k in (1, 2, 3)]
        x = torch.cat([x[0]] + ups, 1)
        x = self.last_layer(x)
        return F.interpolate(x, size=(h, w), mode='bilinear', align_corners=True)


W48 = dict(stemChannels=64, stage1Planes=64, stage1Blocks=4, width=48, blocksPerBranch=4, modules=[1, 4, 3],
           numClasses=194)
TINY = dict(stemChannels=16, stage1Planes=16, stage1Blocks=1, width=8, blocksPerBranch=1, modules=[1, 1, 1])
W12 = dict(stemChannels=16, stage1Planes=16, stage1Blocks=1, width=12, blocksPerBranch=2, modules=[1, 2, 1])

# layout: how the state_dict is wrapped in model.pth. storage float16: the weights are rounded to float16 before the
# forward pass and saved as HalfStorage, which halves the size of the largest fixture (w12 has ~960k parameters).
FIXTURES = [
    dict(name='tiny-33x33', arch=TINY, numClasses=5, inputShape=[2, 3, 33, 33], seed=3301,
         layout='state_dict+module', legacy_copy=True),
    dict(name='tiny-41x57', arch=TINY, numClasses=7, inputShape=[1, 3, 41, 57], seed=4157,
         layout='plain', legacy_copy=False),
    dict(name='w12-49x65', arch=W12, numClasses=6, inputShape=[1, 3, 49, 65], seed=4965,
         layout='model+epoch', legacy_copy=False, storage='float16'),
]

SPEC_FIELDS = ['stemChannels', 'stage1Planes', 'stage1Blocks', 'width', 'blocksPerBranch', 'modules',
               'numClasses', 'inputShape']


def param_count(model):
    return sum(p.numel() for p in model.parameters())


def randomise(model, rng):
    """Random weights whose activations neither vanish nor explode through the depth of the net."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
                std = 1.0 / np.sqrt(fan_in)
                m.weight.copy_(torch.from_numpy(rng.normal(0.0, std, size=tuple(m.weight.shape))))
                if m.bias is not None:
                    m.bias.copy_(torch.from_numpy(rng.uniform(-0.2, 0.2, size=tuple(m.bias.shape))))
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, size=c)))
                m.bias.copy_(torch.from_numpy(rng.normal(0.0, 0.2, size=c)))
                m.running_mean.copy_(torch.from_numpy(rng.normal(0.0, 0.2, size=c)))
                m.running_var.copy_(torch.from_numpy(rng.uniform(0.5, 2.0, size=c)))
                m.num_batches_tracked.fill_(int(rng.integers(1, 100000)))


def tensor_checksum(t):
    a = t.detach().cpu().to(torch.float64).reshape(-1).numpy() if t.dtype != torch.int64 \
        else t.detach().cpu().reshape(-1).numpy().astype(np.float64)
    return dict(shape=list(t.shape), dtype=str(t.dtype).replace('torch.', ''),
                first=float(a[0]) if a.size else 0.0, last=float(a[-1]) if a.size else 0.0,
                sum=float(a.sum()), absSum=float(np.abs(a).sum()))


def one_entry_per_line(mapping):
    """JSON object with one top-level entry per line: small, yet diffable."""
    lines = ['%s: %s' % (json.dumps(k), json.dumps(v)) for k, v in mapping.items()]
    return '{\n' + ',\n'.join(lines) + '\n}\n'


def save_npy(path, array):
    np.save(path, np.ascontiguousarray(array))


def make_hrnet_fixture(root, fx):
    spec = dict(fx['arch'])
    spec['numClasses'] = fx['numClasses']
    spec['inputShape'] = fx['inputShape']
    out_dir = os.path.join(root, 'fixtures', fx['name'])
    os.makedirs(out_dir, exist_ok=True)

    rng = np.random.default_rng(fx['seed'])
    model = HighResolutionNet(spec)
    randomise(model, rng)
    if fx.get('storage') == 'float16':
        model.half().float()
    model.eval()

    x = rng.normal(0.0, 1.0, size=fx['inputShape']).astype(np.float32)
    with torch.no_grad():
        logits32 = model(torch.from_numpy(x)).numpy()
        # The reference is computed in float64 from the float32 weights, so it carries no float32 rounding of its
        # own; the float32 forward is only used to report how far a float32 implementation may drift.
        logits64 = model.double()(torch.from_numpy(x).double()).numpy()
        model.float()
    drift = float(np.abs(logits32.astype(np.float64) - logits64).max())
    logits = logits64.astype(np.float32)
    assert list(logits.shape) == [fx['inputShape'][0], fx['numClasses']] + fx['inputShape'][2:]

    state = model.state_dict()
    if fx.get('storage') == 'float16':
        half = collections.OrderedDict((k, v.half() if v.is_floating_point() else v) for k, v in state.items())
        half._metadata = state._metadata
        state = half
    if fx['layout'] == 'state_dict+module':
        wrapped = collections.OrderedDict(('module.' + k, v) for k, v in state.items())
        wrapped._metadata = state._metadata
        obj = {'epoch': 3, 'state_dict': wrapped, 'optimizer': {'state': {}, 'param_groups': []}}
    elif fx['layout'] == 'model+epoch':
        obj = {'model': state, 'epoch': 12, 'arch': 'hrnet'}
    else:
        obj = state
    torch.save(obj, os.path.join(out_dir, 'model.pth'))
    if fx['legacy_copy']:
        torch.save(obj, os.path.join(out_dir, 'model_legacy.pth'), _use_new_zipfile_serialization=False)

    with open(os.path.join(out_dir, 'spec.json'), 'w') as f:
        json.dump({k: spec[k] for k in SPEC_FIELDS}, f, indent=2)
        f.write('\n')
    save_npy(os.path.join(out_dir, 'input.npy'), x)
    save_npy(os.path.join(out_dir, 'logits.npy'), logits)
    with open(os.path.join(out_dir, 'expected_keys.txt'), 'w') as f:
        for k in sorted(state.keys()):
            f.write(k + '\n')
    with open(os.path.join(out_dir, 'checksums.json'), 'w') as f:
        f.write(one_entry_per_line({k: tensor_checksum(v) for k, v in state.items()}))

    print('%-12s params=%d tensors=%d logits shape=%s mean=%.4f std=%.4f min=%.3f max=%.3f '
          'float32-vs-float64 max|diff|=%.2e' % (fx['name'], param_count(model), len(state), list(logits.shape),
                                                 logits.mean(), logits.std(), logits.min(), logits.max(), drift))
    std_per_class = logits.std(axis=(0, 2, 3))
    print('             per-class logit std: %s' % np.array2string(std_per_class, precision=3))


class _RunsACommand:
    """Pickles as a call of os.system: the reader must refuse the global instead of executing anything."""

    def __reduce__(self):
        return os.system, ('echo this-must-never-run',)


def make_reader_fixtures(root):
    out_dir = os.path.join(root, 'fixtures', 'pth')
    os.makedirs(out_dir, exist_ok=True)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 0.5 - 3.0
    tensors = collections.OrderedDict([
        ('base', base),
        ('transposed', base.t()),                       # stride (1, 6)
        ('slice', base[1:3, 2:5]),                      # storage offset 8, stride (6, 1)
        ('everyOtherColumn', base[:, ::2]),             # stride (6, 2)
        ('row2', base[2]),                              # offset 12, 1-d
        ('expanded', torch.tensor([1.5, -2.5, 4.0]).expand(2, 3)),  # stride (0, 1)
        ('scalar', torch.tensor(3.25)),
        ('empty', torch.zeros(0, 3)),
        ('half', torch.tensor([0.5, -1.25, 65504.0, 6.1035156e-05, 0.0, 5.9604645e-08, -3.0e-06], dtype=torch.float16)),
        ('bfloat16', torch.tensor([1.0, -2.5, 3.140625, 1e30], dtype=torch.bfloat16)),
        ('double', torch.tensor([[1.0, 2.0], [3.0, -0.125]], dtype=torch.float64).t()),
        ('int64', torch.tensor([7, -3, 123456], dtype=torch.int64)),
        ('int32', torch.tensor([1, -2, 3], dtype=torch.int32)),
        ('int16', torch.tensor([-300, 300], dtype=torch.int16)),
        ('int8', torch.tensor([-5, 5], dtype=torch.int8)),
        ('uint8', torch.tensor([0, 200, 255], dtype=torch.uint8)),
        ('bool', torch.tensor([True, False, True])),
    ])
    python_values = {
        'epoch': 7, 'lr': 0.0125, 'name': 'hrnet', 'flags': [True, False, None], 'pair': (1, 2.5, 'a'),
        'big': 2 ** 70, 'negative': -5, 'bytes': b'abc', 'nested': {'a': {'b': [1, 2, 3]}},
        'numpyFloat': np.float64(0.425), 'numpyInt': np.int64(42), 'unicode': 'b\u00e4r \u2192 \U0001f600',
    }
    obj = {'tensors': tensors, 'python': python_values}
    torch.save(obj, os.path.join(out_dir, 'views.pth'))
    torch.save(obj, os.path.join(out_dir, 'views_legacy.pth'), _use_new_zipfile_serialization=False)
    # torch.save uses pickle protocol 2 by default; protocol 4 exercises FRAME, MEMOIZE, STACK_GLOBAL, ...
    torch.save(obj, os.path.join(out_dir, 'views_protocol4.pth'), pickle_protocol=4)

    expected = collections.OrderedDict()
    for k, t in tensors.items():
        values = t.to(torch.float64).reshape(-1).tolist()
        expected[k] = dict(shape=list(t.shape), dtype=str(t.dtype).replace('torch.', ''), values=values)
    with open(os.path.join(out_dir, 'views.json'), 'w') as f:
        f.write(one_entry_per_line(expected))

    state = collections.OrderedDict([('conv.weight', torch.ones(2, 1, 1, 1)), ('conv.bias', torch.zeros(2))])
    torch.save({'state_dict': state, 'payload': _RunsACommand()}, os.path.join(out_dir, 'refused_global.pth'))
    mixed = collections.OrderedDict([('module.a.weight', torch.ones(2)), ('b.weight', torch.zeros(3))])
    torch.save(mixed, os.path.join(out_dir, 'mixed_prefix.pth'))
    clash = collections.OrderedDict([('module.a.weight', torch.ones(2)), ('a.weight', torch.zeros(2))])
    torch.save(clash, os.path.join(out_dir, 'prefix_clash.pth'))
    torch.save({'epoch': 1, 'optimizer': {}}, os.path.join(out_dir, 'no_state_dict.pth'))
    print('pth reader fixtures: %s' % sorted(os.listdir(out_dir)))


def make_npy_fixtures(root):
    out_dir = os.path.join(root, 'npy')
    os.makedirs(out_dir, exist_ok=True)
    a = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 5.5) / 4
    for version in [(1, 0), (2, 0), (3, 0)]:
        with open(os.path.join(out_dir, 'f4_v%d.npy' % version[0]), 'wb') as f:
            np.lib.format.write_array(f, a, version=version)
    np.save(os.path.join(out_dir, 'f8.npy'), a.astype(np.float64))
    np.save(os.path.join(out_dir, 'i8.npy'), np.array([[-3, 0], [5, 1 << 20]], dtype=np.int64))
    np.save(os.path.join(out_dir, 'i4.npy'), np.array([-7, 8, 9], dtype=np.int32))
    np.save(os.path.join(out_dir, 'u1.npy'), np.array([0, 17, 255], dtype=np.uint8))
    np.save(os.path.join(out_dir, 'f4_big_endian.npy'), a.astype('>f4'))
    np.save(os.path.join(out_dir, 'scalar.npy'), np.array(2.5, dtype=np.float32))
    np.save(os.path.join(out_dir, 'empty.npy'), np.zeros((0, 3), dtype=np.float32))
    np.save(os.path.join(out_dir, 'f4_fortran.npy'), np.asfortranarray(a[0]))
    np.save(os.path.join(out_dir, 'c8.npy'), np.array([1 + 2j], dtype=np.complex64))
    print('npy fixtures: %s' % sorted(os.listdir(out_dir)))


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', default=os.path.join(repo, 'mseg-hrnet-tf', 'src', 'test', 'resources'),
                        help='test resources directory to write into')
    parser.add_argument('--npy-out', default=os.path.join(repo, 'mseg-pytorch-io', 'src', 'test', 'resources'),
                        help='test resources directory of the .npy fixtures (mseg-pytorch-io reads them)')
    parser.add_argument('--skip-w48', action='store_true', help='do not build W48 to print its parameter count')
    args = parser.parse_args()
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))

    if not args.skip_w48:
        w48 = HighResolutionNet(W48)
        n = param_count(w48)
        print('HRNetV2-W48, 194 classes: %d parameters (expected 65985554)' % n)
        if n != 65985554:
            sys.exit('parameter count mismatch: the module tree differs from mseg-semantic seg_hrnet.py')
        del w48

    for fx in FIXTURES:
        make_hrnet_fixture(args.out, fx)
    make_reader_fixtures(args.out)
    make_npy_fixtures(args.npy_out)


if __name__ == '__main__':
    main()
