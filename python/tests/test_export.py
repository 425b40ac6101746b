"""The export as the official safetensors library reads it, the package's own reader, and the
exact sum of squares `exact-interp bound` prints, recomputed from the tensors' bits."""

import os
import struct
import unittest
from fractions import Fraction

import numpy as np

from support import ROOT, TMP, export, run, shipped

from exact_interp import read_safetensors, read_safetensors_bytes

try:
    import safetensors  # noqa: F401
    from safetensors.numpy import load_file
except ImportError:  # pragma: no cover - the Makefile installs it
    load_file = None


def constructed():
    """Models `exact-interp construct` builds for figure5 (narrow and compact, hardmax)."""
    out = []
    for layout in ("narrow", "compact"):
        path = os.path.join(TMP, "figure5-%s.model.json" % layout)
        if not os.path.exists(path):
            run("construct", os.path.join(ROOT, "Datasets", "figure5.json"), "-o", path, "--layout", layout, "--quiet")
        out.append(path)
    return out


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def exact_value(x):
    """The exact rational of a float (Fraction(float) is exact: every float is a dyadic rational)."""
    return Fraction(float(x))


def bits_value(raw, dtype):
    """The exact rational of one little-endian value's bits, decoded by hand (sign, exponent, fraction)."""
    if dtype == "F64":
        (b,) = struct.unpack("<Q", raw)
        e_bits, f_bits = 11, 52
    else:
        (b,) = struct.unpack("<I", raw)
        e_bits, f_bits = 8, 23
    bias = (1 << (e_bits - 1)) - 1
    frac = b & ((1 << f_bits) - 1)
    exp = (b >> f_bits) & ((1 << e_bits) - 1)
    sign = -1 if b >> (e_bits + f_bits) else 1
    if exp == 0:
        return sign * Fraction(frac) * Fraction(2) ** (1 - bias - f_bits)
    return sign * Fraction(frac + (1 << f_bits)) * Fraction(2) ** (exp - bias - f_bits)


def sum_of_squares_from_bits(path):
    """Σ x² over every value of a safetensors file, each x decoded exactly from its bits."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    import json
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    body = data[8 + n:]
    total = Fraction(0)
    for info in header.values():
        size = 8 if info["dtype"] == "F64" else 4
        begin, end = info["data_offsets"]
        for k in range(begin, end, size):
            x = bits_value(body[k:k + size], info["dtype"])
            total += x * x
    return total


class ExportTests(unittest.TestCase):
    @unittest.skipIf(load_file is None, "the safetensors library is not installed")
    def test_official_library_loads_every_export(self):
        for model, _ in shipped():
            for dtype in ("float64", "float32"):
                path = export(model, dtype)
                tensors = load_file(path)
                ours, metadata = read_safetensors_bytes(read_bytes(path))
                self.assertEqual(sorted(tensors), sorted(ours), path)
                for name, t in tensors.items():
                    self.assertEqual(t.dtype, np.float64 if dtype == "float64" else np.float32, name)
                    self.assertTrue(np.array_equal(t.astype(np.float64), ours[name]), name)
                self.assertEqual(metadata["format"], "exact-interp-safetensors")
                self.assertTrue(metadata["model_digest"].startswith("sha256:"))

    def test_own_reader_rejects_bad_files(self):
        path = export(shipped()[0][0])
        data = read_bytes(path)
        with self.assertRaises(ValueError):
            read_safetensors_bytes(data[:-1])
        with self.assertRaises(ValueError):
            read_safetensors_bytes(data[:5])
        with self.assertRaises(ValueError):
            read_safetensors_bytes(data + b"\0")

    def test_bound_first_line_is_the_exact_sum_of_squares_of_the_tensors(self):
        # For any model, bound --dtype float64 is Σ x² over the float64 export's values, decoded
        # from their bits; for a float-exact model (near-tie) the plain bound equals it too.
        for model in [m for m, _ in shipped()] + constructed():
            for dtype in ("float64", "float32"):
                path = export(model, dtype)
                first = run("bound", model, "--dtype", dtype).stdout.splitlines()[0]
                self.assertEqual(Fraction(first), sum_of_squares_from_bits(path), "%s %s" % (model, dtype))
        near_tie = [m for m, _ in shipped() if m.endswith("near-tie.model.json")][0]
        exact = run("bound", near_tie).stdout.splitlines()[0]
        self.assertEqual(Fraction(exact), sum_of_squares_from_bits(export(near_tie)))

    def test_bits_decoder_agrees_with_fraction_of_float(self):
        rng = np.random.default_rng(14)
        for x in rng.standard_normal(200) * 10.0 ** rng.integers(-30, 30, 200):
            self.assertEqual(bits_value(struct.pack("<d", x), "F64"), exact_value(x))
            f = np.float32(x)
            self.assertEqual(bits_value(struct.pack("<f", f), "F32"), exact_value(f))

    def test_f16_and_bf16_tensors_import_exactly(self):
        # A hand-made file with F16 and BF16 tensors: import gives the exact values of their bits.
        import json
        vals16 = np.array([0.5, -1.5, 2.0 ** -24, 65504.0], dtype="<f2")
        bf = (np.array([1.0, -3.0, 2.0 ** -20, 1.5], dtype=np.float32).view(np.uint32) >> 16).astype("<u2")
        tensors = {
            "blocks.0.ff.U": ("F16", [1, 1], vals16[:1].tobytes()),
            "blocks.0.ff.b": ("BF16", [1], bf[:1].tobytes()),
            "blocks.0.ff.W": ("F16", [1, 1], vals16[1:2].tobytes()),
            "blocks.0.ff.eta": ("F16", [], vals16[2:3].tobytes()),
            "blocks.0.attn.rho": ("BF16", [], bf[2:3].tobytes()),
        }
        header, body = {}, b""
        for name in sorted(tensors):
            dtype, shape, raw = tensors[name]
            header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(body), len(body) + len(raw)]}
            body += raw
        header["__metadata__"] = {"attention": "hardmax"}
        h = json.dumps(header).encode()
        path = os.path.join(TMP, "halves.safetensors")
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(h)) + h + body)
        out = os.path.join(TMP, "halves.model.json")
        run("import", path, "-o", out)
        with open(out) as f:
            model = json.load(f)
        block = model["blocks"][0]
        self.assertEqual(block["feedforward"]["eta"], "1/16777216")
        self.assertEqual(block["attention"]["rho"], "1/1048576")
        self.assertEqual(block["feedforward"]["ridges"][0]["direction"], ["1/2"])
        self.assertEqual(block["feedforward"]["ridges"][0]["neurons"][0], {"bias": "1", "output": ["-3/2"]})
        ours, _ = read_safetensors_bytes(read_bytes(path))
        self.assertEqual(float(ours["blocks.0.ff.eta"]), 2.0 ** -24)
        self.assertEqual(float(ours["blocks.0.attn.rho"]), 2.0 ** -20)


if __name__ == "__main__":
    unittest.main()
