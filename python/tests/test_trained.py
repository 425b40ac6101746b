"""Trained sa-ff models (docs/trained-models.md): a state dict with the paper authors' key names,
written with NumPy and safetensors, imported with `exact-interp import --architecture sa-ff`, run
with `eval --arithmetic float64` and compared with an independent NumPy float64 forward pass of the
attention-then-feed-forward maths written here; `exact_interp.from_state_dict` and `write_dataset`
give the same files as the CLI; a real torch nn.Module when torch is installed."""

import json
import os
import subprocess
import unittest

import numpy as np

from support import BINARY, TMP, run

import exact_interp

try:
    from safetensors.numpy import save_file
except ImportError:
    save_file = None

try:
    import torch
except ImportError:
    torch = None

DEPTH, D, WIDTH = 2, 4, 4
WORST = {"max": 0.0, "absolute": 0.0, "sequences": 0}


def state_dict(rng, h, depth=DEPTH, d=D, w=WIDTH):
    """Random float32 weights under the sa-ff key names (shapes of nn.Linear weights)."""
    f = lambda *shape: rng.uniform(-1, 1, size=shape).astype(np.float32)
    sd = {}
    for l in range(depth):
        p = "blocks.%d." % l
        sd[p + "rho"] = rng.uniform(0.5, 1.5, size=(1,)).astype(np.float32)
        sd[p + "eta"] = rng.uniform(0.5, 1.5, size=(1,)).astype(np.float32)
        sd[p + "attn.to_q.weight"] = f(h, d)
        sd[p + "attn.to_k.weight"] = f(h, d)
        sd[p + "attn.to_v.weight"] = f(d, d)
        sd[p + "ff.0.weight"] = f(w, d)
        sd[p + "ff.0.bias"] = f(w)
        sd[p + "ff.2.weight"] = f(d, w)
    return sd


def forward(sd, X, tau, causal):
    """x <- rho x + softmax(q k^T / tau) v, then x <- eta x + W2 relu(W1 x + b1), rows as tokens,
    in float64: written from the architecture's definition, sharing nothing with the package."""
    x = np.asarray(X, dtype=np.float64)
    g = lambda name: np.asarray(sd[name], dtype=np.float64)
    n = x.shape[0]
    for l in range(DEPTH):
        p = "blocks.%d." % l
        q, k, v = x @ g(p + "attn.to_q.weight").T, x @ g(p + "attn.to_k.weight").T, x @ g(p + "attn.to_v.weight").T
        s = q @ k.T / tau
        if causal:
            s = np.where(np.triu(np.ones((n, n), dtype=bool), 1), -np.inf, s)
        s = s - s.max(axis=1, keepdims=True)
        e = np.exp(s)
        x = g(p + "rho")[0] * x + (e / e.sum(axis=1, keepdims=True)) @ v
        hidden = np.maximum(x @ g(p + "ff.0.weight").T + g(p + "ff.0.bias"), 0.0)
        x = g(p + "eta")[0] * x + hidden @ g(p + "ff.2.weight").T
    return x


def engine_outputs(model, dataset, tag):
    trace = os.path.join(TMP, tag + ".trace.json")
    p = run("eval", model, dataset, "--arithmetic", "float64", "--trace", trace, check=False)
    with open(trace) as f:
        t = json.load(f)
    return p, [np.array(pair["layers"][-1]["tokens"]) for pair in t["pairs"]]


@unittest.skipIf(save_file is None, "safetensors is not installed (make python-deps installs it)")
class TrainedModelTests(unittest.TestCase):
    def check(self, h, tau_text, tau, causal, n, seed):
        rng = np.random.default_rng(seed)
        sd = state_dict(rng, h)
        tag = "sa-ff-h%d-tau%s-%s-n%d" % (h, tau_text.replace("/", "_"), "causal" if causal else "full", n)
        weights = os.path.join(TMP, tag + ".safetensors")
        save_file(sd, weights)
        model = os.path.join(TMP, tag + ".json")
        args = ["import", weights, "--architecture", "sa-ff", "--temperature", tau_text, "-o", model] + (["--causal"] if causal else [])
        run(*args)
        # Inputs, and the forward pass's outputs as targets (every position: a causal dataset for a
        # causal model), so that `eval` must call every pair interpolated.
        X = rng.uniform(-1, 1, size=(5, n, D)).astype(np.float32)
        Y = np.stack([forward(sd, x, tau, causal) for x in X])
        arrays = os.path.join(TMP, tag + ".arrays.safetensors")
        save_file({"X": X, "Y": Y}, arrays)
        dataset = os.path.join(TMP, tag + ".dataset.json")
        run("dataset-from-arrays", arrays, "--inputs", "X", "--targets", "Y", "-o", dataset, *(["--causal"] if causal else []))

        # The Python converters give the CLI's files (same exact rationals, same structure).
        with open(model) as f:
            self.assertEqual(exact_interp.from_torch(sd, temperature=tau_text, causal=causal, source=os.path.basename(weights)), json.load(f))
        with open(dataset) as f:
            self.assertEqual(exact_interp.write_dataset(X, Y, causal=causal), json.load(f))

        p, outputs = engine_outputs(model, dataset, tag)
        self.assertEqual(p.returncode, 0, "eval float64 should interpolate the forward pass's own outputs:\n" + p.stdout + p.stderr)
        for j, x in enumerate(X):
            ours = forward(sd, x, tau, causal)
            self.assertEqual(outputs[j].shape, ours.shape)
            err = float(np.max(np.abs(outputs[j] - ours)) / max(1.0, float(np.max(np.abs(ours)))))
            WORST["max"] = max(WORST["max"], err)
            WORST["absolute"] = max(WORST["absolute"], float(np.max(np.abs(outputs[j] - ours))))
            WORST["sequences"] += 1
            self.assertLessEqual(float(np.max(np.abs(outputs[j] - ours))), 1e-12, "%s pair %d:\nengine %s\nnumpy  %s" % (tag, j, outputs[j], ours))
        return sd, X, model

    def test_engine_float64_agrees_with_numpy_sa_then_ff(self):
        seed = 0
        for h in (2, 3):
            for tau_text, tau in (("1/10", 0.1), ("3", 3.0)):
                for causal in (False, True):
                    for n in (1, 4, 10):
                        seed += 1
                        self.check(h, tau_text, tau, causal, n, seed)
        print("sa-ff: eval --arithmetic float64 against the NumPy forward pass: %d sequences, largest difference %.3g (%.3g relative to max(1, |output|))"
              % (WORST["sequences"], WORST["absolute"], WORST["max"]))

    def test_bound_leaves_padding_out(self):
        sd = state_dict(np.random.default_rng(99), 2)
        weights = os.path.join(TMP, "bound.safetensors")
        save_file(sd, weights)
        model = os.path.join(TMP, "bound.json")
        run("import", weights, "--architecture", "sa-ff", "--temperature", "1", "-o", model)
        from fractions import Fraction
        # At tau = 1 the exported tensors are the state dict's: R is the sum of its squares, padding excluded.
        want = sum((Fraction(float(x)) ** 2 for a in sd.values() for x in a.ravel()), Fraction(0))
        self.assertEqual(Fraction(run("bound", model).stdout.splitlines()[0]), want)

    def test_errors_name_the_tensor(self):
        sd = state_dict(np.random.default_rng(5), 2)
        sd["blocks.1.attn.to_k.weight"] = np.zeros((3, D), dtype=np.float32)
        with self.assertRaisesRegex(ValueError, r"blocks\.1\.attn\.to_k\.weight: wrong shape \[3, 4\], expected \[2, 4\]"):
            exact_interp.from_state_dict(sd, temperature="1/10")
        weights = os.path.join(TMP, "bad-k.safetensors")
        save_file(sd, weights)
        p = run("import", weights, "--architecture", "sa-ff", "--temperature", "1/10", "-o", os.path.join(TMP, "never.json"), check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("blocks.1.attn.to_k.weight: wrong shape [3, 4], expected [2, 4]", p.stderr)
        sd["blocks.1.attn.to_k.weight"] = np.zeros((2, D), dtype=np.float32)
        sd["blocks.0.attn.mask"] = np.zeros((3, 3), dtype=np.float32)
        with self.assertRaisesRegex(ValueError, r"unknown tensor names for the sa-ff layout: blocks\.0\.attn\.mask"):
            exact_interp.from_state_dict(sd, temperature="1/10")
        self.assertEqual(exact_interp.from_state_dict(sd, temperature="1/10", ignore=["blocks.0.attn.mask"])["dimension"], D)
        del sd["blocks.1.attn.to_k.weight"], sd["blocks.0.attn.mask"]
        with self.assertRaisesRegex(ValueError, r"missing tensors: blocks\.1\.attn\.to_k\.weight"):
            exact_interp.from_state_dict(sd, temperature=3)

    @unittest.skipIf(torch is None, "torch is not installed: the nn.Module comparison is skipped (the NumPy comparison covers the maths)")
    def test_torch_module_agrees(self):
        default = torch.get_default_dtype()
        torch.set_default_dtype(torch.float64)
        try:
            self._torch_module_agrees()
        finally:
            torch.set_default_dtype(default)

    def _torch_module_agrees(self):

        class SA(torch.nn.Module):
            def __init__(self, d, h, tau, causal):
                super().__init__()
                self.to_q = torch.nn.Linear(d, h, bias=False)
                self.to_k = torch.nn.Linear(d, h, bias=False)
                self.to_v = torch.nn.Linear(d, d, bias=False)
                self.tau, self.causal = tau, causal

            def forward(self, x):
                s = self.to_q(x) @ self.to_k(x).transpose(-1, -2) / self.tau
                if self.causal:
                    n = x.shape[-2]
                    s = s.masked_fill(torch.triu(torch.ones(n, n, dtype=torch.bool), 1), float("-inf"))
                return torch.softmax(s, dim=-1) @ self.to_v(x)

        class Block(torch.nn.Module):
            def __init__(self, d, h, tau, causal):
                super().__init__()
                self.rho = torch.nn.Parameter(torch.ones(1))
                self.eta = torch.nn.Parameter(torch.ones(1))
                self.attn = SA(d, h, tau, causal)
                self.ff = torch.nn.Sequential(torch.nn.Linear(d, WIDTH), torch.nn.ReLU(), torch.nn.Linear(WIDTH, d, bias=False))

            def forward(self, x):
                x = self.rho * x + self.attn(x)
                return self.eta * x + self.ff(x)

        class Net(torch.nn.Module):
            def __init__(self, d, h, tau, causal):
                super().__init__()
                self.blocks = torch.nn.ModuleList([Block(d, h, tau, causal) for _ in range(DEPTH)])

            def forward(self, x):
                for b in self.blocks:
                    x = b(x)
                return x

        for causal in (False, True):
            sd, X, model = self.check(3, "1/10", 0.1, causal, 6, 1000 + causal)
            net = Net(D, 3, 0.1, causal)
            net.load_state_dict({k: torch.tensor(np.asarray(v, dtype=np.float64)) for k, v in sd.items()})
            with open(model) as f:
                self.assertEqual(exact_interp.from_torch(net, temperature="1/10", causal=causal, source=os.path.basename(model)[:-5] + ".safetensors"), json.load(f))
            for x in X:
                with torch.no_grad():
                    theirs = net(torch.tensor(np.asarray(x, dtype=np.float64))).numpy()
                self.assertLessEqual(float(np.max(np.abs(theirs - forward(sd, x, 0.1, causal)))), 1e-12)


if __name__ == "__main__":
    unittest.main()
