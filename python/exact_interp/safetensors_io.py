"""Reading safetensors files: the official library when installed, else a small reader.

The format: 8 bytes, the header length N (little-endian u64); N bytes of JSON mapping each tensor
name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets from the end of the header) and an
optional "__metadata__" object of strings; then the data, row-major and little-endian.
"""

import json
import struct

import numpy as np

_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "BF16": None,  # the top 16 bits of a float32
}


def _decode(dtype, raw, shape):
    if dtype == "BF16":
        halves = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return halves.view(np.float32).reshape(shape).astype(np.float64)
    return np.frombuffer(raw, dtype=_DTYPES[dtype]).reshape(shape).astype(np.float64)


def read_safetensors_bytes(data):
    """(tensors, metadata) of a safetensors file's bytes, with the reader of this module.

    Every tensor comes back as float64 (exact: F32, F16 and BF16 values are all float64 values).
    Raises ValueError on a malformed file (truncated, bad header, ranges that overlap or leave gaps,
    shapes that do not match their ranges, unsupported dtypes).
    """
    if len(data) < 8:
        raise ValueError("truncated: no 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ValueError("truncated: header length %d but %d bytes follow" % (n, len(data) - 8))
    header = json.loads(data[8:8 + n].decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError("bad header: not a JSON object")
    body = data[8 + n:]
    metadata = header.pop("__metadata__", {}) or {}
    tensors, ranges = {}, []
    for name, info in header.items():
        dtype = info["dtype"]
        if dtype not in _DTYPES:
            raise ValueError("%s: unsupported dtype %s" % (name, dtype))
        shape = tuple(int(s) for s in info["shape"])
        begin, end = (int(x) for x in info["data_offsets"])
        size = 2 if dtype in ("F16", "BF16") else _DTYPES[dtype].itemsize
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if end - begin != count * size or end > len(body):
            raise ValueError("%s: shape %s does not match data_offsets [%d, %d]" % (name, shape, begin, end))
        tensors[name] = _decode(dtype, body[begin:end], shape)
        ranges.append((begin, end, name))
    position = 0
    for begin, end, name in sorted(ranges):
        if begin != position:
            raise ValueError("%s: data_offsets overlap or leave a gap at byte %d" % (name, position))
        position = end
    if position != len(body):
        raise ValueError("the tensors cover %d of %d data bytes" % (position, len(body)))
    return tensors, dict(metadata)


def read_safetensors(path, prefer_official=True):
    """(tensors, metadata) of a safetensors file: name -> float64 ndarray, and the string metadata.

    Uses the official `safetensors` library when it is installed (and `prefer_official`), else the
    reader of this module.
    """
    if prefer_official:
        try:
            from safetensors import safe_open
        except ImportError:
            safe_open = None
        if safe_open is not None:
            tensors = {}
            with safe_open(path, framework="numpy") as f:
                metadata = f.metadata() or {}
                for name in f.keys():
                    tensors[name] = np.asarray(f.get_tensor(name), dtype=np.float64)
            return tensors, dict(metadata)
    with open(path, "rb") as f:
        return read_safetensors_bytes(f.read())
