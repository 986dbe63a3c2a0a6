"""Imports MSeg's own PyTorch training code from a checkout, for the benchmarks in tools/bench_upstream_*.py.

Not part of the product. The checkout is the `training` branch of mseg-dataset/mseg-semantic (the code MSeg's models
were trained with: mseg_semantic/tool/train.py, utils/transform.py, utils/dataset.py, model/seg_hrnet.py and
model/seg_hrnet.yaml); nothing of it is copied into this repository. For example:

    git clone -b training https://github.com/mseg-dataset/mseg-semantic /tmp/mseg-semantic-training

That code was written for Python 3.7, NumPy < 1.20 and a CUDA machine with apex, yacs and mseg-api installed. To run
its CPU code paths unchanged on Debian's python3-torch / python3-opencv, this module installs, before importing it,
only what is missing, and reports each one in `notes`:

* `collections.Iterable` and `numpy.int`, removed from Python 3.10 and NumPy 1.24 (aliases of the same objects);
* `apex`: imported by train.py and seg_hrnet.py, which builds its BatchNorm layers as apex.parallel.SyncBatchNorm.
  The stub makes that torch.nn.BatchNorm2d: in one process SyncBatchNorm is plain batch norm;
* `yacs.config.CfgNode`: seg_hrnet.get_configured_hrnet reads seg_hrnet.yaml with it; the stub is a dict with
  attribute access and merge_from_file through PyYAML;
* `mseg.taxonomy` (mseg-api, which also needs pandas): ToUniversalLabel calls
  TaxonomyConverter().transform_label(label, dataset), a 256-entry look-up-table gather on the label tensor. The stub
  performs the same gather with a stand-in table (ids kept, 255 stays 255): the same work, other values;
* `imageio` (SemData reads labels with imageio.imread), only when python3-imageio is not installed: cv2.imread with
  IMREAD_UNCHANGED, which returns the same array for an 8-bit PNG.
"""

import collections
import collections.abc
import contextlib
import os
import platform
import sys
import types


def cpu_model():
    """The CPU's model name as lscpu shows it."""
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def load_average():
    try:
        return '%.2f %.2f %.2f' % os.getloadavg()
    except OSError:
        return 'unknown'


def _importable(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


def _new_module(name, **attrs):
    parts = name.split('.')
    for i in range(1, len(parts) + 1):
        full = '.'.join(parts[:i])
        if full not in sys.modules:
            mod = types.ModuleType(full)
            mod.__path__ = []
            sys.modules[full] = mod
            if i > 1:
                setattr(sys.modules['.'.join(parts[:i - 1])], parts[i - 1], mod)
    for k, v in attrs.items():
        setattr(sys.modules[name], k, v)
    return sys.modules[name]


class _CfgNode(dict):
    """The part of yacs.config.CfgNode that seg_hrnet.get_configured_hrnet uses."""

    def __init__(self, init=None, new_allowed=False):
        super().__init__()
        for k, v in (init or {}).items():
            self[k] = _CfgNode(v) if isinstance(v, dict) else v

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key, value):
        self[key] = value

    def merge_from_file(self, path):
        import yaml
        with open(path, encoding='utf-8') as f:
            self._merge(yaml.safe_load(f))

    def _merge(self, data):
        for k, v in data.items():
            if isinstance(v, dict):
                if not isinstance(self.get(k), _CfgNode):
                    self[k] = _CfgNode()
                self[k]._merge(v)
            else:
                self[k] = v


class _LutTaxonomyConverter:
    """Stand-in for mseg-api's TaxonomyConverter: transform_label is the same look-up-table gather."""

    def __init__(self, *args, **kwargs):
        import torch
        self._lut = torch.arange(256, dtype=torch.int64)

    def transform_label(self, label, dataset):
        return self._lut[label]


def import_upstream(checkout):
    """Puts the checkout first on sys.path, installs the shims listed in the module doc; returns the notes."""
    import numpy as np
    import torch.nn as nn
    root = os.path.abspath(checkout)
    for rel in ('mseg_semantic/tool/train.py', 'mseg_semantic/utils/transform.py',
                'mseg_semantic/utils/dataset.py', 'mseg_semantic/model/seg_hrnet.py',
                'mseg_semantic/model/seg_hrnet.yaml'):
        if not os.path.isfile(os.path.join(root, rel)):
            sys.exit('--upstream %s: %s is missing; give a checkout of the training branch of'
                     ' mseg-dataset/mseg-semantic (git clone -b training ...)' % (checkout, rel))
    sys.path.insert(0, root)
    notes = []
    if not hasattr(collections, 'Iterable'):
        collections.Iterable = collections.abc.Iterable
        notes.append('collections.Iterable aliased to collections.abc.Iterable (removed in Python 3.10)')
    if 'int' not in np.__dict__:
        np.int = int
        notes.append('numpy.int aliased to int (removed in NumPy 1.24)')
    if not _importable('apex'):
        _new_module('apex.parallel', SyncBatchNorm=nn.BatchNorm2d)
        _new_module('apex.amp')
        notes.append('apex stubbed: apex.parallel.SyncBatchNorm is torch.nn.BatchNorm2d (one process: same math)')
    if not _importable('yacs'):
        _new_module('yacs.config', CfgNode=_CfgNode)
        notes.append('yacs stubbed: CfgNode = dict with attribute access, merge_from_file via PyYAML')
    if not _importable('mseg'):
        _new_module('mseg.taxonomy.taxonomy_converter', TaxonomyConverter=_LutTaxonomyConverter)
        _new_module('mseg.taxonomy.naive_taxonomy_converter', NaiveTaxonomyConverter=_LutTaxonomyConverter)
        notes.append('mseg-api stubbed: TaxonomyConverter.transform_label = the same 256-entry LUT gather,'
                     ' stand-in table')
    if not _importable('imageio'):
        import cv2
        _new_module('imageio', imread=lambda path: cv2.imread(path, cv2.IMREAD_UNCHANGED))
        notes.append('imageio stubbed: imread = cv2.imread(IMREAD_UNCHANGED)')
    return notes


def redirect_stdout_to_stderr():
    """Upstream code prints progress to stdout; the benchmarks keep stdout for their one JSON object."""
    return contextlib.redirect_stdout(sys.stderr)


def import_train_module():
    """mseg_semantic.tool.train (it prints its import time)."""
    with redirect_stdout_to_stderr():
        from mseg_semantic.tool import train
    return train
