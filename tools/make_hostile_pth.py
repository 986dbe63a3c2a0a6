#!/usr/bin/env python3
"""Derive hostile PyTorch checkpoints from the tiny HRNet fixture, without PyTorch.

The checkpoint reader must neither run code nor exhaust memory on untrusted files. This script rewrites the zip
checkpoint ``fixtures/tiny-33x33/model.pth`` with the standard library only: the pickle is loaded with stand-ins for
the few torch globals it names and dumped again with one change. It writes into ``fixtures/pth/``:

* ``expanded_unused.pth``: the tiny model plus ``module.unused.expanded``, what ``torch.zeros(1).expand(40000, 40000)``
  saves: a one-element storage viewed with shape (40000, 40000) and strides (0, 0). Materialised, that key alone
  would take 6.4 GB.
* ``non_finite.pth``: the tiny model with NaN in three elements of ``module.conv1.weight`` and +inf in one element of
  ``module.bn1.running_var``.

Run from the repository root: ``python3 tools/make_hostile_pth.py``.
"""

import collections
import io
import os
import pickle
import struct
import sys
import types
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mseg-hrnet-tf", "src", "test", "resources",
                    "fixtures")


class StorageType:
    """Stands in for torch.FloatStorage & co.: pickled as the global torch.<name>."""

    def __init__(self, name):
        self.name = name


class Storage:
    def __init__(self, pid):
        self.pid = pid  # ('storage', StorageType, key, location, numel)


def _rebuild_tensor_v2(storage, offset, size, stride, requires_grad=False, hooks=None, metadata=None):
    return Tensor(storage, offset, tuple(size), tuple(stride))


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride

    def __reduce__(self):
        return _rebuild_tensor_v2, (self.storage, self.offset, self.size, self.stride, False,
                                    collections.OrderedDict())


# Fake modules so that pickle writes GLOBAL torch._utils _rebuild_tensor_v2 and torch FloatStorage.
torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils
STORAGE_TYPES = {}


def storage_type(name):
    if name not in STORAGE_TYPES:
        cls = type(name, (), {"__module__": "torch"})
        setattr(torch, name, cls)
        STORAGE_TYPES[name] = cls
    return STORAGE_TYPES[name]


class Loader(pickle.Unpickler):
    def find_class(self, module, name):
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch" and name.endswith("Storage"):
            return storage_type(name)
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        raise pickle.UnpicklingError("unexpected global %s.%s" % (module, name))

    def persistent_load(self, pid):
        return Storage(pid)


class Dumper(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, Storage) else None


def load(path):
    with zipfile.ZipFile(path) as z:
        prefix = next(n for n in z.namelist() if n.endswith("data.pkl"))[:-len("data.pkl")]
        root = Loader(io.BytesIO(z.read(prefix + "data.pkl"))).load()
        data = {n[len(prefix + "data/"):]: z.read(n) for n in z.namelist() if n.startswith(prefix + "data/")}
    return root, data


def save(path, root, data, prefix="archive/"):
    buf = io.BytesIO()
    Dumper(buf, protocol=2).dump(root)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr(prefix + "data.pkl", buf.getvalue())
        z.writestr(prefix + "byteorder", "little")
        for key in sorted(data, key=lambda k: int(k) if k.isdigit() else k):
            z.writestr(prefix + "data/" + key, data[key])
        z.writestr(prefix + "version", "3\n")
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def state_dict(root):
    return root["state_dict"] if isinstance(root, dict) and "state_dict" in root else root


def weights_only(root, data):
    """Drops the optimizer state (half the file) and the storages only it used."""
    root = {"epoch": root["epoch"], "state_dict": state_dict(root)}
    used = {t.storage.pid[2] for t in root["state_dict"].values()}
    return root, {k: v for k, v in data.items() if k in used}


def main():
    source = os.path.join(ROOT, "tiny-33x33", "model.pth")
    out = os.path.join(ROOT, "pth")

    root, data = weights_only(*load(source))
    sd = state_dict(root)
    key = str(max(int(k) for k in data) + 1)
    one = Storage(("storage", storage_type("FloatStorage"), key, "cpu", 1))
    sd["module.unused.expanded"] = Tensor(one, 0, (40000, 40000), (0, 0))
    data[key] = struct.pack("<f", 0.0)
    save(os.path.join(out, "expanded_unused.pth"), root, data)

    root, data = weights_only(*load(source))
    sd = state_dict(root)

    def poke(name, index, value):
        t = sd[name]
        raw = bytearray(data[t.storage.pid[2]])
        struct.pack_into("<f", raw, 4 * (t.offset + index), value)
        data[t.storage.pid[2]] = bytes(raw)

    for i in (0, 5, 7):
        poke("module.conv1.weight", i, float("nan"))
    poke("module.bn1.running_var", 2, float("inf"))
    save(os.path.join(out, "non_finite.pth"), root, data)


if __name__ == "__main__":
    main()
