"""Shared helpers of the Python package's tests: the engine binary, temporary files, datasets."""

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "python"))

BINARY = os.environ.get("EXACT_INTERP", os.path.join(ROOT, ".build", "debug", "exact-interp"))
TMP = tempfile.mkdtemp(prefix="exact-interp-python-")
atexit.register(shutil.rmtree, TMP, True)  # the tests' files go here, never into the source tree

# Shipped models and the dataset each one is for (Datasets/models/README.md).
SHIPPED = [
    ("figure5-handmade.model.json", "../figure5.json"),
    ("figure5-wrong.model.json", "../figure5.json"),
    ("figure5-softmax-narrow.model.json", "../figure5.json"),
    ("tiny-hat.model.json", "tiny-hat.json"),
    ("near-tie.model.json", "near-tie.json"),
]


def shipped():
    """(model path, dataset path) of every shipped model."""
    d = os.path.join(ROOT, "Datasets", "models")
    return [(os.path.join(d, m), os.path.normpath(os.path.join(d, ds))) for m, ds in SHIPPED]


def run(*args, check=True):
    """Runs the engine; returns its stdout."""
    p = subprocess.run([BINARY] + [str(a) for a in args], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError("exact-interp %s exited %d: %s" % (" ".join(map(str, args)), p.returncode, p.stderr))
    return p


def export(model, dtype="float64"):
    out = os.path.join(TMP, os.path.basename(model) + "." + dtype + ".safetensors")
    run("export", model, "-o", out, "--dtype", dtype)
    return out


def fraction(text):
    """A rational from the engine's "p/q" text."""
    return Fraction(text)


def dataset_inputs(path):
    """The input sequences of a dataset file, as lists of float tokens (exact decimals rounded once)."""
    with open(path) as f:
        data = json.load(f, parse_float=str, parse_int=str)
    return [[[float(Fraction(c)) for c in token] for token in pair["input"]] for pair in data["pairs"]]


def float64_outputs(model, dataset):
    """T(X) per pair from `exact-interp eval --arithmetic float64 --trace` (the last layer's tokens)."""
    trace = os.path.join(TMP, os.path.basename(model) + ".trace.json")
    run("eval", model, dataset, "--arithmetic", "float64", "--trace", trace, check=False)
    with open(trace) as f:
        t = json.load(f)
    return [pair["layers"][-1]["tokens"] if pair["layers"] else None for pair in t["pairs"]]
