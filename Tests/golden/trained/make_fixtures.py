#!/usr/bin/env python3
"""Writes the small safetensors fixtures of Tests/golden/trained (standard library only, seeded:
the same bytes every run). Usage: python3 Tests/golden/trained/make_fixtures.py [--check]

  sa-ff.safetensors          a 2-block sa-ff state dict (d = 3, h = 2, w = 4, float32), the key
                             names of the paper authors' PyTorch module (docs/trained-models.md)
  flax.safetensors           the same parameters under other names, every matrix transposed
                             (read with flax.map.json)
  arrays.safetensors         X [4, 5, 3] and Y [4, 3] (float32), Yseq [4, 2, 3], Ycausal [4, 5, 3]
  bad-*.safetensors          one defect each: a wrong shape, a missing and an unknown key,
                             d and h inconsistent across blocks
  torch-zip.pt, torch-legacy.pt   the first bytes of PyTorch pickles (zip and legacy)
"""
import json
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def safetensors(tensors):
    """tensors: name -> (shape, flat float list) written as F32, in name order."""
    header, data = {}, b""
    for name in sorted(tensors):
        shape, values = tensors[name]
        begin = len(data)
        data += b"".join(struct.pack("<f", v) for v in values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [begin, len(data)]}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def sa_ff(rng, d=3, h=2, w=4, blocks=2):
    sd = {}
    for l in range(blocks):
        p = "blocks.%d." % l
        m = lambda r, c: ([r, c], [f32(rng.uniform(-1, 1)) for _ in range(r * c)])
        sd[p + "rho"] = ([1], [f32(rng.uniform(0.5, 1.5))])
        sd[p + "eta"] = ([1], [f32(rng.uniform(0.5, 1.5))])
        sd[p + "attn.to_q.weight"] = m(h, d)
        sd[p + "attn.to_k.weight"] = m(h, d)
        sd[p + "attn.to_v.weight"] = m(d, d)
        sd[p + "ff.0.weight"] = m(w, d)
        sd[p + "ff.0.bias"] = ([w], [f32(rng.uniform(-1, 1)) for _ in range(w)])
        sd[p + "ff.2.weight"] = m(d, w)
    return sd


def transposed(shape_values):
    (r, c), v = shape_values
    return [c, r], [v[i * c + j] for j in range(c) for i in range(r)]


def flax(sd):
    names = {"rho": "residual_attn", "eta": "residual_mlp", "attn.to_q.weight": "attn/query/kernel",
             "attn.to_k.weight": "attn/key/kernel", "attn.to_v.weight": "attn/value/kernel",
             "ff.0.weight": "mlp/dense_in/kernel", "ff.0.bias": "mlp/dense_in/bias", "ff.2.weight": "mlp/dense_out/kernel"}
    out = {}
    for key, t in sd.items():
        _, l, rest = key.split(".", 2)
        new = "params/layers_%s/%s" % (l, names[rest])
        out[new] = transposed(t) if new.endswith("kernel") else t
    return out


def fixtures():
    rng = random.Random(22)
    sd = sa_ff(rng)
    files = {"sa-ff.safetensors": safetensors(sd), "flax.safetensors": safetensors(flax(sd))}
    X = [f32(rng.uniform(-2, 2)) for _ in range(4 * 5 * 3)]
    files["arrays.safetensors"] = safetensors({
        "X": ([4, 5, 3], X), "Y": ([4, 3], [f32(rng.uniform(-2, 2)) for _ in range(12)]),
        "Yseq": ([4, 2, 3], [f32(rng.uniform(-2, 2)) for _ in range(24)]),
        "Ycausal": ([4, 5, 3], [f32(rng.uniform(-2, 2)) for _ in range(60)])})
    bad = dict(sd); bad["blocks.1.attn.to_v.weight"] = ([3, 2], [0.5] * 6)
    files["bad-shape.safetensors"] = safetensors(bad)
    bad = dict(sd); del bad["blocks.1.ff.0.bias"]
    files["bad-missing.safetensors"] = safetensors(bad)
    bad = dict(sd); bad["blocks.0.attn.to_out.weight"] = ([3, 3], [0.0] * 9)
    files["bad-unknown.safetensors"] = safetensors(bad)
    bad = dict(sd); bad["blocks.1.attn.to_v.weight"] = ([4, 4], [0.25] * 16)
    files["bad-d.safetensors"] = safetensors(bad)
    bad = dict(sd); bad["blocks.1.attn.to_q.weight"] = ([3, 3], [0.25] * 9); bad["blocks.1.attn.to_k.weight"] = ([3, 3], [0.5] * 9)
    files["bad-h.safetensors"] = safetensors(bad)
    files["torch-zip.pt"] = b"PK\x03\x04" + b"\x00" * 60
    files["torch-legacy.pt"] = b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19."
    return files


def main():
    check = "--check" in sys.argv[1:]
    stale = 0
    for name, data in sorted(fixtures().items()):
        path = os.path.join(HERE, name)
        if check:
            with open(path, "rb") as f:
                if f.read() != data:
                    print("stale: %s (run %s)" % (path, sys.argv[0]))
                    stale += 1
        else:
            with open(path, "wb") as f:
                f.write(data)
    sys.exit(1 if stale else 0)


if __name__ == "__main__":
    main()
