"""Rigorous evaluation, certified losses and Proposition 2.1 on trained models (docs/trained-models.md).

A depth-2, d = 4 float32 state dict with the paper authors' sa-ff key names is imported; the boxes of
`eval --arithmetic rigorous` must contain a 50-digit mpmath forward pass of the same maths (written
here, from the architecture's definition) with radius <= 1e-12; `loss` must contain the float64
loss (and the mpmath one, strictly) with relative width <= 1e-10; `--at-most` must give exit 0 and 1
on either side of the true loss. The authors' generator form (Q = K = 0, V = I, rho = 0, then an FF)
must be certified by `verify` against its exact outputs. `tikhonov` must print both sides for a
model trained by the package's own Example 2.2 code.
"""

import json
import os
import re
import unittest
from decimal import Decimal
from fractions import Fraction

import numpy as np

from support import TMP, run

import exact_interp
from exact_interp import training

try:
    from safetensors.numpy import save_file
except ImportError:
    save_file = None

try:
    import mpmath
except ImportError:
    mpmath = None

from test_trained import D, DEPTH, forward, state_dict

WORST = {"radius": 0.0, "loss_width": 0.0, "boxes": 0}


def exact(a):
    """Every float of an array as an exact Fraction."""
    return [[Fraction(float(v)) for v in row] for row in np.atleast_2d(np.asarray(a, dtype=np.float64))]


def mp_forward(sd, X, tau, causal):
    """The sa-ff forward pass in mpmath at 60 digits, on the exact values of the float32 weights."""
    mp = mpmath.mp
    g = lambda name: mpmath.matrix([[mp.mpf(Fraction(float(v)).numerator) / Fraction(float(v)).denominator for v in row]
                                    for row in np.atleast_2d(np.asarray(sd[name], dtype=np.float64))])
    x = mpmath.matrix([[mp.mpf(Fraction(float(v)).numerator) / Fraction(float(v)).denominator for v in row] for row in X])
    n = x.rows
    for l in range(DEPTH):
        p = "blocks.%d." % l
        Wq, Wk, Wv = g(p + "attn.to_q.weight"), g(p + "attn.to_k.weight"), g(p + "attn.to_v.weight")
        q, k, v = x * Wq.T, x * Wk.T, x * Wv.T
        s = q * k.T
        out = mpmath.matrix(n, D)
        rho = g(p + "rho")[0, 0]
        for i in range(n):
            keys = i + 1 if causal else n
            top = max(s[i, j] for j in range(keys))
            e = [mpmath.exp((s[i, j] - top) / tau) for j in range(keys)]
            total = sum(e)
            for c in range(D):
                out[i, c] = rho * x[i, c] + sum(e[j] * v[j, c] for j in range(keys)) / total
        x = out
        W1, b1, W2 = g(p + "ff.0.weight"), g(p + "ff.0.bias"), g(p + "ff.2.weight")
        eta = g(p + "eta")[0, 0]
        hidden = x * W1.T
        for i in range(n):
            for j in range(hidden.cols):
                hidden[i, j] = max(hidden[i, j] + b1[0, j], 0)
        x = eta * x + hidden * W2.T
    return x


def interval(text):
    """A loss as printed by `loss`: an exact point, or '[lo, hi] ≈ …' with directed decimals."""
    m = re.match(r"\[([^,]+), ([^\]]+)\]", text)
    if m:
        return Fraction(Decimal(m.group(1))), Fraction(Decimal(m.group(2)))
    value = Fraction(text) if "e" not in text else Fraction(Decimal(text))
    return value, value


def loss_lines(stdout):
    """{pair index or 'mean': (lo, hi)} from `loss` output."""
    out = {}
    for line in stdout.splitlines():
        m = re.match(r"(pair (\d+)|mean): (.*)$", line)
        if m:
            out[int(m.group(2)) if m.group(2) else "mean"] = interval(m.group(3))
    return out


@unittest.skipIf(save_file is None or mpmath is None, "safetensors and mpmath are needed (make python-deps installs them)")
class RigorousTrainedTests(unittest.TestCase):
    def setUp(self):
        mpmath.mp.dps = 60

    def model_and_data(self, tag, tau_text, causal, seed, n=6, pairs=4, h=2):
        rng = np.random.default_rng(seed)
        sd = state_dict(rng, h)
        weights = os.path.join(TMP, tag + ".safetensors")
        save_file(sd, weights)
        model = os.path.join(TMP, tag + ".json")
        run("import", weights, "--architecture", "sa-ff", "--temperature", tau_text, "-o", model, *(["--causal"] if causal else []))
        X = rng.uniform(-1, 1, size=(pairs, n, D)).astype(np.float32)
        tau = float(Fraction(tau_text))
        # The authors' targets: the last token of the output, here slightly moved (a trained model
        # does not interpolate exactly).
        Y = np.stack([forward(sd, x, tau, causal)[-1] for x in X]) + np.float32(1e-3)
        arrays = os.path.join(TMP, tag + ".arrays.safetensors")
        save_file({"X": X, "Y": Y.astype(np.float32)}, arrays)
        dataset = os.path.join(TMP, tag + ".dataset.json")
        run("dataset-from-arrays", arrays, "--inputs", "X", "--targets", "Y", "-o", dataset)
        return sd, X, Y.astype(np.float32), tau, model, dataset

    def test_rigorous_boxes_contain_the_mpmath_reference(self):
        for tau_text, causal, seed in [("1/10", False, 31), ("3", True, 32), ("1/1000", False, 33)]:
            tag = "rigorous-%s-%s" % (tau_text.replace("/", "_"), causal)
            sd, X, Y, tau, model, dataset = self.model_and_data(tag, tau_text, causal, seed)
            outputs = os.path.join(TMP, tag + ".outputs.json")
            run("eval", model, dataset, "--arithmetic", "rigorous", "--outputs", outputs, check=False)
            with open(outputs) as f:
                boxes = json.load(f)["pairs"]
            tau_mp = mpmath.mpf(Fraction(tau_text).numerator) / Fraction(tau_text).denominator
            for j, x in enumerate(X):
                reference = mp_forward(sd, x, tau_mp, causal)
                for i, token in enumerate(boxes[j]["output"]):
                    for c, (lo, hi) in enumerate(token):
                        lo, hi = Fraction(str(lo)), Fraction(str(hi))
                        ref = reference[i, c]
                        self.assertTrue(mpmath.mpf(lo.numerator) / lo.denominator <= ref <= mpmath.mpf(hi.numerator) / hi.denominator,
                                        "%s pair %d token %d coordinate %d: %s not in [%s, %s]" % (tag, j, i, c, ref, lo, hi))
                        radius = float(hi - lo) / 2
                        scale = max(1.0, abs(float(ref)))
                        self.assertLessEqual(radius, 1e-12 * scale, "%s: radius %g" % (tag, radius))
                        WORST["radius"] = max(WORST["radius"], radius / scale)
                        WORST["boxes"] += 1

    def test_certified_loss_and_at_most(self):
        sd, X, Y, tau, model, dataset = self.model_and_data("loss", "1/10", False, 34)
        p = run("loss", model, dataset)
        lines = loss_lines(p.stdout)
        self.assertEqual(len(lines), len(X) + 1, p.stdout)
        float_losses = []
        mpmath.mp.dps = 60
        y_exact = exact(Y)
        for j, x in enumerate(X):
            out = forward(sd, x, tau, False)
            float_losses.append(float(np.max(np.sum((out - Y[j].astype(np.float64)) ** 2, axis=1))))
            ref_out = mp_forward(sd, x, mpmath.mpf(1) / 10, False)
            ref = max(sum((ref_out[i, c] - mpmath.mpf(y_exact[j][c].numerator) / y_exact[j][c].denominator) ** 2 for c in range(D))
                      for i in range(ref_out.rows))
            lo, hi = lines[j]
            self.assertTrue(mpmath.mpf(lo.numerator) / lo.denominator <= ref <= mpmath.mpf(hi.numerator) / hi.denominator,
                            "pair %d: mpmath loss %s not in [%s, %s]" % (j, ref, float(lo), float(hi)))
            # float64's own rounding: the interval is far narrower than float64's error.
            self.assertLessEqual(float(lo) - 1e-13 * float_losses[j], float_losses[j])
            self.assertLessEqual(float_losses[j], float(hi) + 1e-13 * float_losses[j])
            width = float(hi - lo) / float(hi)
            self.assertLessEqual(width, 1e-10)
            WORST["loss_width"] = max(WORST["loss_width"], width)
        lo, hi = lines["mean"]
        mean = sum(float_losses) / len(float_losses)
        self.assertTrue(float(lo) * (1 - 1e-13) <= mean <= float(hi) * (1 + 1e-13))
        # --at-most on either side of the true loss: the largest pair's.
        top_lo, top_hi = max(lines[j] for j in range(len(X)))
        above = top_hi * (1 + Fraction(1, 10**6))
        below = top_lo * (1 - Fraction(1, 10**6))
        self.assertEqual(run("loss", model, dataset, "--at-most", "%d/%d" % (above.numerator, above.denominator), check=False).returncode, 0)
        p = run("loss", model, dataset, "--at-most", "%d/%d" % (below.numerator, below.denominator), check=False)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("NOT within", p.stdout)

    def test_generator_form_is_certified_by_verify(self):
        """Q = K = 0, V = I, rho = 0 (every token the sequence's mean for every tau), then an FF
        with eta = 1: the exact outputs, computed here in Fractions, are certified."""
        rng = np.random.default_rng(35)
        f = lambda *shape: rng.uniform(-1, 1, size=shape).astype(np.float32)
        d, w = D, 4
        sd = {"blocks.0.rho": np.zeros(1, np.float32), "blocks.0.eta": np.ones(1, np.float32),
              "blocks.0.attn.to_q.weight": np.zeros((2, d), np.float32), "blocks.0.attn.to_k.weight": np.zeros((2, d), np.float32),
              "blocks.0.attn.to_v.weight": np.eye(d, dtype=np.float32),
              "blocks.0.ff.0.weight": f(w, d), "blocks.0.ff.0.bias": f(w), "blocks.0.ff.2.weight": f(d, w)}
        weights = os.path.join(TMP, "generator.safetensors")
        save_file(sd, weights)
        model = os.path.join(TMP, "generator.json")
        run("import", weights, "--architecture", "sa-ff", "--temperature", "1", "-o", model)
        W1, b1, W2 = exact(sd["blocks.0.ff.0.weight"]), exact(sd["blocks.0.ff.0.bias"])[0], exact(sd["blocks.0.ff.2.weight"])
        pairs = []
        for _ in range(5):
            X = rng.uniform(-1, 1, size=(int(rng.integers(1, 8)), d)).astype(np.float32)
            xs = exact(X)
            mean = [sum(t[c] for t in xs) / len(xs) for c in range(d)]
            hidden = [max(sum(W1[j][c] * mean[c] for c in range(d)) + b1[j], Fraction(0)) for j in range(w)]
            y = [mean[c] + sum(W2[c][j] * hidden[j] for j in range(w)) for c in range(d)]
            text = lambda v: str(v.numerator) if v.denominator == 1 else "%d/%d" % (v.numerator, v.denominator)
            pairs.append({"input": [[text(v) for v in t] for t in xs], "output": [[text(v) for v in y]]})
        dataset = os.path.join(TMP, "generator.dataset.json")
        with open(dataset, "w") as f_:
            json.dump({"dimension": d, "pairs": pairs}, f_)
        p = run("verify", model, dataset, check=False)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # A target moved by 2^-20 is rejected.
        pairs[0]["output"][0][0] = str(Fraction(pairs[0]["output"][0][0]) + Fraction(1, 2**20))
        with open(dataset, "w") as f_:
            json.dump({"dimension": d, "pairs": pairs}, f_)
        self.assertEqual(run("verify", model, dataset, check=False).returncode, 1)

    def test_tikhonov_on_a_model_trained_by_the_package(self):
        """Example 2.2: Adam on L + eps R from a random start (3,000 epochs: below the bound), against theta_gen."""
        X, Y = training.make_data(sequences=8, length=3, seed=22)
        eps = 1e-2
        p = training.adam(X, Y, eps, epochs=3000, seed=1)["theta"]
        theta = {k: (Fraction(float(v)) if np.ndim(v) == 0 else [[Fraction(float(c)) for c in row] if np.ndim(v) == 2 else Fraction(float(row)) for row in v])
                 for k, v in p.items()}
        trained = os.path.join(TMP, "example22-trained.json")
        generator = os.path.join(TMP, "example22-generator.json")
        for path, t in [(trained, theta), (generator, training.THETA_GEN)]:
            with open(path, "w") as f:
                json.dump(training.generator_model(t), f)
        dataset = os.path.join(TMP, "example22.dataset.json")
        exact_interp.write_dataset(X, Y, path=dataset)
        out = run("tikhonov", trained, generator, dataset, "--epsilon", "1/100", "--kind", "mean-squared", check=False)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertIn("holds: L(θ) + εR(θ) ≤ L(θ*) + εR(θ*)", out.stdout)
        self.assertIn("trained θ", out.stdout)
        self.assertIn("interpolant θ*", out.stdout)
        self.assertEqual(out.stdout.count("L + εR = "), 2, out.stdout)
        # The verdict agrees with float64: J(theta) against L(theta_gen) + eps R(theta_gen).
        J = training.loss(p, X, Y) + eps * training.R(p)
        gen = training.as_arrays(training.THETA_GEN)
        bound = training.loss(gen, X, Y) + eps * float(training.exact_R(training.THETA_GEN))
        self.assertLess(J, bound)
        # The other side: with the generator as "trained" and the trained model as "interpolant"
        # the inequality fails, exit 1.
        swapped = run("tikhonov", generator, trained, dataset, "--epsilon", "1/100", "--kind", "mean-squared", check=False)
        self.assertEqual(swapped.returncode, 1, swapped.stdout)
        self.assertIn("does NOT hold", swapped.stdout)
        WORST["tikhonov"] = (J, bound, out.returncode)


def tearDownModule():
    if WORST["boxes"]:
        print("\nrigorous: %d boxes, largest relative radius %.2e; largest relative loss width %.2e; tikhonov %s"
              % (WORST["boxes"], WORST["radius"], WORST["loss_width"], WORST.get("tikhonov")))


if __name__ == "__main__":
    unittest.main()
