"""Example 2.2's training code: analytic gradients against finite differences, Adam lowering the
regularised loss below the bound eps*R(theta_gen), and R(theta_gen) against `exact-interp bound`."""

import json
import os
import unittest
from fractions import Fraction

import numpy as np

from support import TMP, run

from exact_interp import training as T


class TrainingTests(unittest.TestCase):
    def test_gradient_matches_finite_differences(self):
        X, Y = T.make_data(sequences=6, length=3, seed=5)
        for seed in range(3):
            p = T.random_start(np.random.default_rng(seed))
            _, _, g = T.gradient(p, X, Y, 0.01)
            h = 1e-6
            for k in T.NAMES:
                for idx in np.ndindex(p[k].shape):
                    up = {n: v.copy() for n, v in p.items()}
                    down = {n: v.copy() for n, v in p.items()}
                    up[k][idx] += h
                    down[k][idx] -= h
                    numeric = (T.gradient(up, X, Y, 0.01)[0] - T.gradient(down, X, Y, 0.01)[0]) / (2 * h)
                    self.assertAlmostEqual(numeric, float(g[k][idx]), delta=1e-6 * max(1.0, abs(numeric)), msg="%s%s" % (k, idx))

    def test_generator_interpolates_its_data(self):
        X, Y = T.make_data()
        self.assertLess(T.loss(T.as_arrays(T.THETA_GEN), X, Y), 1e-28)

    def test_adam_goes_below_the_bound(self):
        X, Y = T.make_data()
        eps = 1e-2
        result = T.adam(X, Y, eps, 1500, seed=1)
        self.assertLess(result["J"], eps * float(T.exact_R(T.THETA_GEN)))

    def test_R_of_the_generator_equals_exact_interp_bound(self):
        path = os.path.join(TMP, "generator.model.json")
        with open(path, "w") as f:
            json.dump(T.generator_model(), f)
        first = run("bound", path).stdout.splitlines()[0]
        self.assertEqual(Fraction(first), T.exact_R(T.THETA_GEN))
        self.assertEqual(T.R_exact_text(), first)

    def test_svg_is_written_with_the_slope(self):
        summary, svg = T.run(epochs=60, eps_left=1e-2, sweep_eps=(1e-2, 1e-1), starts=1, progress=False)
        self.assertTrue(svg.startswith("<svg") and "fitted slope" in svg)
        self.assertIn("slope", summary)


if __name__ == "__main__":
    unittest.main()
