"""The NumPy forward pass against `exact-interp eval --arithmetic float64`, on every shipped model
and on constructed ones (hardmax narrow and compact, softmax); causal masks and heads on a
hand-made model against an independent dense implementation; the PyTorch module when torch is
installed."""

import os
import unittest

import numpy as np

from support import ROOT, TMP, dataset_inputs, export, float64_outputs, run, shipped

import exact_interp
from test_export import constructed

try:
    import torch
except ImportError:
    torch = None


def softmax_constructed():
    path = os.path.join(TMP, "figure5-softmax.model.json")
    if not os.path.exists(path):
        run("construct", os.path.join(ROOT, "Datasets", "figure5.json"), "-o", path, "--attention", "softmax", "--quiet")
    return path


def float32_constructed():
    """construct --weights float32 on a float32 dataset: every parameter a float32."""
    data = os.path.join(ROOT, "Datasets", "float32-3d.json")
    path = os.path.join(TMP, "float32-3d.weights-float32.model.json")
    if not os.path.exists(path):
        run("construct", data, "-o", path, "--weights", "float32", "--layout", "compact", "--quiet")
    return path, data


def all_models():
    figure5 = os.path.join(ROOT, "Datasets", "figure5.json")
    return shipped() + [(m, figure5) for m in constructed()] + [(softmax_constructed(), figure5), float32_constructed()]


def close(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(1.0, float(np.max(np.abs(b))) if b.size else 1.0)
    return a.shape == b.shape and float(np.max(np.abs(a - b))) <= 1e-9 * scale


class ForwardTests(unittest.TestCase):
    def test_numpy_forward_agrees_with_engine_float64(self):
        compared = identical = 0
        for model, dataset in all_models():
            m = exact_interp.load(export(model))
            engine = float64_outputs(model, dataset)
            for j, X in enumerate(dataset_inputs(dataset)):
                ours = m.forward(np.array(X))
                self.assertTrue(close(ours, engine[j]), "%s pair %d:\nnumpy  %s\nengine %s" % (model, j, ours, engine[j]))
                compared += 1
                identical += int(np.array_equal(ours, np.array(engine[j])))
        self.assertGreater(compared, 20)
        print("\n  numpy forward vs eval --arithmetic float64: %d sequences agree (%d bit for bit)" % (compared, identical))

    def test_float32_weights_model_is_exact_in_float32(self):
        # The float32 export holds exactly the certified parameters: bound's exact R equals the
        # sum of squares of the float32 tensors as the official library (or ours) reads them.
        from fractions import Fraction
        model, _ = float32_constructed()
        tensors, _ = exact_interp.read_safetensors(export(model, "float32"))
        total = sum((Fraction(float(x)) ** 2 for t in tensors.values() for x in np.asarray(t).reshape(-1)), Fraction(0))
        self.assertEqual(Fraction(run("bound", model).stdout.splitlines()[0]), total)

    def test_agreement_fails_on_a_wrong_model(self):
        # The comparison can fail: the wrong model's exports differ from the right one's outputs.
        right = [m for m, _ in shipped() if m.endswith("figure5-handmade.model.json")][0]
        wrong = [m for m, _ in shipped() if m.endswith("figure5-wrong.model.json")][0]
        dataset = os.path.join(ROOT, "Datasets", "figure5.json")
        engine = float64_outputs(right, dataset)
        m = exact_interp.load(export(wrong))
        self.assertFalse(all(close(m.forward(np.array(X)), engine[j]) for j, X in enumerate(dataset_inputs(dataset))))

    def test_causal_masks_and_heads_against_a_dense_reference(self):
        rng = np.random.default_rng(3)
        d, n = 3, 5
        heads = [exact_interp.Head(rng.standard_normal((d, d)), A=rng.standard_normal((d, d))),
                 exact_interp.Head(rng.standard_normal((d, d)), Q=rng.standard_normal((2, d)), K=rng.standard_normal((2, d)))]
        for kind in ("softmax", "hardmax"):
            for causal in (False, True):
                block = exact_interp.Block(rng.standard_normal((4, d)), rng.standard_normal(4), rng.standard_normal((d, 4)), 0.5, 0.75,
                                           heads, kind=kind, causal=causal)
                X = rng.standard_normal((n, d))
                H = 0.5 * X + np.maximum(X @ block.U.T + block.b, 0) @ block.W.T
                want = 0.75 * H
                for h in heads:
                    S = H @ h.score_matrix @ H.T
                    for i in range(n):
                        keys = i + 1 if causal else n
                        s = S[i, :keys]
                        if kind == "softmax":
                            w = np.exp(s - s.max())
                            w /= w.sum()
                        else:
                            w = (s == s.max()).astype(float)
                            w /= w.sum()
                        want[i] += w @ (H[:keys] @ h.V.T)
                got = block.forward(X)
                self.assertTrue(np.allclose(got, want, atol=1e-12), "%s causal=%s" % (kind, causal))

    @unittest.skipIf(torch is None, "torch is not installed: the PyTorch module is not tested (pip install torch to run it)")
    def test_torch_module_agrees_with_numpy(self):
        from exact_interp.torch_module import TransformerModule
        for model, dataset in all_models():
            path = export(model)
            m = exact_interp.load(path)
            module = TransformerModule.from_safetensors(path)
            for X in dataset_inputs(dataset):
                with torch.no_grad():
                    got = module(torch.tensor(X, dtype=torch.float64)).numpy()
                self.assertTrue(close(got, m.forward(np.array(X))), model)


if __name__ == "__main__":
    unittest.main()
