#!/usr/bin/env python3
"""Tests of tools/verify_certificate.py (standard library unittest).

    EXACT_INTERP=.build/debug/exact-interp python3 tools/test_verify_certificate.py

Runs the independent checker on every shipped model of Datasets/models and on the models that
`exact-interp construct` builds for Datasets/figure5.json in both layouts, and requires that it
agrees with `exact-interp verify` on each, and that both reject a model with one rational changed.
Without EXACT_INTERP (or .build/debug/exact-interp) the tests that need the Swift tool are skipped.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest
from fractions import Fraction as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import verify_certificate as vc  # noqa: E402
import next_word_testdata as nwt  # noqa: E402

CHECKER = os.path.join(HERE, "verify_certificate.py")
MODELS = os.path.join(ROOT, "Datasets", "models")
FIGURE5 = os.path.join(ROOT, "Datasets", "figure5.json")
CAUSAL = os.path.join(ROOT, "Datasets", "causal", "bsd-next-word.json")
SWIFT = os.environ.get("EXACT_INTERP") or os.path.join(ROOT, ".build", "debug", "exact-interp")
HAVE_SWIFT = os.path.isfile(SWIFT) and os.access(SWIFT, os.X_OK)


def run(args):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, cwd=ROOT)
    return p.returncode, p.stdout, p.stderr


def checker(model, dataset):
    return run([sys.executable, CHECKER, model, dataset])


def swift_verify(model, dataset):
    return run([SWIFT, "verify", model, dataset])


def shipped_models():
    """(model, dataset, expected exit code) for every model file of Datasets/models."""
    out = []
    for name in sorted(os.listdir(MODELS)):
        if not name.endswith(".model.json"):
            continue
        stem = name[: -len(".model.json")]
        if stem.startswith("figure5-"):
            dataset = FIGURE5
        else:
            dataset = os.path.join(MODELS, stem + ".json")
        # Softmax certificates are enclosure proofs: this checker declines them (exit 3).
        expected = 3 if "softmax" in stem else (1 if "wrong" in stem else 0)
        out.append((os.path.join(MODELS, name), dataset, expected))
    return out


def rational_paths(value, path=()):
    """Every rational of a model file, as the path of keys and indices that reaches it."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("format", "version", "dimension", "dataset_digest", "metadata", "stage", "kind", "causal", "type"):
                continue
            for p in rational_paths(v, path + (k,)):
                yield p
    elif isinstance(value, list):
        for i, v in enumerate(value):
            for p in rational_paths(v, path + (i,)):
                yield p
    elif isinstance(value, str):
        yield path


def changed(model_text, path, delta=F(1)):
    """The model file with the rational at `path` increased by `delta`."""
    doc = json.loads(model_text)
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = vc.text_of(F(node[path[-1]]) + delta)
    return json.dumps(doc, indent=2) + "\n"


class RationalGrammar(unittest.TestCase):
    def test_shared_table(self):
        """Tests/rational-grammar.json: the same table ExactArithmeticTests checks the Swift parser on."""
        with open(os.path.join(ROOT, "Tests", "rational-grammar.json"), encoding="utf-8") as f:
            cases = json.load(f)["cases"]
        self.assertGreater(len(cases), 50)
        for text, value in cases:
            if value is None:
                with self.assertRaises(vc.BadInput, msg=repr(text)):
                    vc.parse_rational(text, "x")
            else:
                got = vc.parse_rational(text, "x")
                if value != "accepted":
                    self.assertEqual(got, F(value), repr(text))

    def test_zero_denominator_message(self):
        with self.assertRaises(vc.BadInput) as e:
            vc.parse_rational("7/0", "pairs[1].input[1][1]")
        self.assertEqual(str(e.exception), 'pairs[1].input[1][1]: "7/0" is not a rational number: zero denominator')


class HandComputedEvaluation(unittest.TestCase):
    """The checker's own evaluator on the hand-computed cases of Tests/ModelTests."""

    I2 = vc.identity(2)

    def sa(self, scores, rho, value, causal=False):
        return (F(1), [], F(rho), causal, [(scores, value)], False)

    def test_tie_of_three(self):
        # A = I, V = I/2, rho = 1/2: token 1 ties between keys 1, 2, 3 -> (1, 1/6).
        block = self.sa(("dense", vc.identity(2)), F(1, 2), vc.identity(2, F(1, 2)))
        xs = [[F(1), F(0)], [F(1), F(2)], [F(1), F(-1)], [F(0), F(5)]]
        self.assertEqual(vc.evaluate([block], xs),
                         [[F(1), F(1, 6)], [F(1, 2), F(7, 2)], [F(1), F(-1)], [F(0), F(5)]])

    def test_rank_one_signs_and_zero(self):
        block = self.sa(("rank_one", [F(1), F(0)], [F(0), F(1)]), 0, self.I2)
        xs = [[F(2), F(1)], [F(-1), F(3)], [F(0), F(-2)], [F(1), F(3)]]
        self.assertEqual(vc.evaluate([block], xs),
                         [[F(0), F(3)], [F(0), F(-2)], [F(1, 2), F(5, 4)], [F(0), F(3)]])

    def test_causal_mask(self):
        block = self.sa(("rank_one", [F(1), F(0)], [F(0), F(1)]), 0, self.I2, causal=True)
        xs = [[F(1), F(0)], [F(1), F(5)], [F(-1), F(2)], [F(1), F(-3)]]
        self.assertEqual(vc.evaluate([block], xs), [[F(1), F(0)], [F(1), F(5)], [F(1), F(0)], [F(1), F(5)]])

    def test_hat(self):
        ridge = ([F(1), F(1)], [(F(1), [F(1), F(-1)]), (F(0), [F(-2), F(2)]), (F(-1), [F(1), F(-1)])])
        block = (F(1), [ridge], F(1), False, [], True)
        xs = [[F(0), F(0)], [F(1, 4), F(1, 4)], [F(1), F(0)], [F(5), F(5)]]
        self.assertEqual(vc.evaluate([block], xs), [[F(1), F(-1)], [F(3, 4), F(-1, 4)], [F(1), F(0)], [F(5), F(5)]])

    def test_digest_matches_the_swift_engine(self):
        # The digest `exact-interp verify` prints for Datasets/figure5.json.
        d, pairs, _ = vc.read_dataset(FIGURE5)
        self.assertEqual(vc.dataset_digest(d, pairs),
                         "sha256:59322d591b96c0988f9b35e28d152583519b050e99e78f612975f435eb623a6c")


class BadInput(unittest.TestCase):
    def write(self, directory, name, text):
        path = os.path.join(directory, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_invalid_models_exit_2_with_the_path(self):
        invalid = os.path.join(ROOT, "Datasets", "invalid")
        dataset = os.path.join(MODELS, "tiny-hat.json")
        expected = {
            "model-missing-field": "blocks[0].feedforward.eta: missing",
            "model-unknown-key": 'blocks[0].attention.temperature: unknown key "temperature"',
            "model-unknown-version": "version: this checker reads version 1, the file has version 2",
            "model-wrong-shape": "blocks[0].feedforward.ridges[0].direction: expected 2 entries, found 3",
            "model-zero-denominator": 'blocks[0].feedforward.ridges[0].neurons[1].bias: "-1/0" is not a rational number: zero denominator',
        }
        for stem, message in expected.items():
            with self.subTest(stem):
                code, out, err = checker(os.path.join(invalid, stem + ".model.json"), dataset)
                self.assertEqual(code, 2, err)
                self.assertIn(message, err)

    def test_invalid_datasets_exit_2(self):
        invalid = os.path.join(ROOT, "Datasets", "invalid")
        model = os.path.join(MODELS, "figure5-handmade.model.json")
        checked = 0
        for name in sorted(os.listdir(invalid)):
            if name.endswith(".model.json") or not name.endswith(".json"):
                continue
            if name in ("same-input-different-output.json", "more-outputs-than-inputs.json"):
                continue  # well-formed files: infeasible, but the checker only evaluates
            checked += 1
            with self.subTest(name):
                code, out, err = checker(model, os.path.join(invalid, name))
                self.assertEqual(code, 2, err)
                self.assertTrue(err.startswith("error: "), err)
        self.assertGreaterEqual(checked, 10, "too few invalid datasets were checked")

    def test_digest_and_dimension_mismatch_exit_2(self):
        code, _, err = checker(os.path.join(MODELS, "figure5-handmade.model.json"), os.path.join(MODELS, "tiny-hat.json"))
        self.assertEqual(code, 2)
        self.assertIn("was built for dataset sha256:59322d", err)
        code, _, err = checker(os.path.join(MODELS, "near-tie.model.json"), FIGURE5)
        self.assertEqual(code, 2)
        self.assertIn("the model acts on Q^3 but the dataset's dimension is 2", err)

    def test_softmax_model_exits_3(self):
        with open(os.path.join(MODELS, "near-tie.model.json"), encoding="utf-8") as f:
            doc = json.load(f)
        doc["blocks"][0]["attention"]["kind"] = "softmax"
        doc["temperature"] = "1/64"
        with tempfile.TemporaryDirectory() as tmp:
            path = self.write(tmp, "softmax.model.json", json.dumps(doc))
            code, _, err = checker(path, os.path.join(MODELS, "near-tie.json"))
        self.assertEqual(code, 3)
        self.assertIn("blocks[0].attention is a softmax layer", err)

    def test_json_trouble_exits_2(self):
        with tempfile.TemporaryDirectory() as tmp:
            for text, message in [('{"format": "exact-interp-model",}', "JSON syntax error"),
                                  ('{"format": "exact-interp-model", "format": "x"}', 'duplicate key "format"'),
                                  ('{"format": NaN}', "NaN is not valid JSON"),
                                  ("[" * 100000 + "]" * 100000, "nested too deeply"),
                                  ("[]", "(top level): expected an object, found an array")]:
                with self.subTest(text[:40]):
                    path = self.write(tmp, "m.json", text)
                    code, _, err = checker(path, FIGURE5)
                    self.assertEqual(code, 2, err)
                    self.assertIn(message, err)
            code, _, err = checker(os.path.join(tmp, "missing.json"), FIGURE5)
            self.assertEqual(code, 2)
            self.assertIn("cannot read", err)

    def test_usage(self):
        code, _, err = run([sys.executable, CHECKER, "only-one-argument"])
        self.assertEqual(code, 2)
        self.assertIn("usage:", err)

    def test_help(self):
        code, out, _ = run([sys.executable, CHECKER, "--help"])
        self.assertEqual(code, 0)
        self.assertIn("usage: verify_certificate.py", out)
        self.assertIn("--max-bits B", out)
        self.assertIn("Exit codes: 0 certified", out)

    def test_swapped_arguments_hint(self):
        model = os.path.join(MODELS, "figure5-handmade.model.json")
        code, _, err = checker(FIGURE5, model)
        self.assertEqual(code, 2)
        self.assertIn("error: %s is a dataset and %s a model: arguments swapped?" % (FIGURE5, model), err)
        code, _, err = checker(FIGURE5, FIGURE5)
        self.assertEqual(code, 2)
        self.assertIn("this looks like a dataset file, not a model", err)
        code, _, err = checker(model, model)
        self.assertEqual(code, 2)
        self.assertIn("this looks like a model file, not a dataset", err)

    def test_each_file_named_once(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = self.write(tmp, "m.json", "{")
            missing = os.path.join(tmp, "missing.json")
            for path in [bad, missing, tmp]:
                with self.subTest(path):
                    code, _, err = checker(path, FIGURE5)
                    self.assertEqual(code, 2, err)
                    self.assertEqual(err.count(path), 1, err)


class ShippedModels(unittest.TestCase):
    def test_every_shipped_model(self):
        models = shipped_models()
        self.assertGreaterEqual(len(models), 4)
        for model, dataset, expected in models:
            with self.subTest(os.path.basename(model)):
                code, out, err = checker(model, dataset)
                self.assertEqual(code, expected, out + err)
                if HAVE_SWIFT:
                    swift_code, swift_out, swift_err = swift_verify(model, dataset)
                    # On softmax models only exact-interp decides (it certifies them: exit 0).
                    want = 0 if code == 3 else code
                    self.assertEqual(swift_code, want, "exact-interp verify disagrees:\n" + swift_out + swift_err)

    def test_wrong_model_reports_the_failing_pairs(self):
        code, out, _ = checker(os.path.join(MODELS, "figure5-wrong.model.json"), FIGURE5)
        self.assertEqual(code, 1)
        self.assertIn("pair 0: NOT interpolated: missing from T(X): -; not in Y: [8, 0] [9/4, 1]", out)
        self.assertIn("pair 1: interpolated", out)
        self.assertIn("NOT certified: 2 of 3 pairs fail", out)


@unittest.skipUnless(HAVE_SWIFT, "needs the exact-interp binary (EXACT_INTERP or .build/debug/exact-interp)")
class ConstructedModels(unittest.TestCase):
    def test_both_layouts_certified_and_one_changed_rational_rejected(self):
        for layout in ("narrow", "compact"):
            with self.subTest(layout), tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "figure5-%s.model.json" % layout)
                code, out, err = run([SWIFT, "construct", FIGURE5, "-o", path, "--layout", layout, "--quiet"])
                self.assertEqual(code, 0, out + err)
                code, out, err = checker(path, FIGURE5)
                self.assertEqual(code, 0, out + err)
                self.assertIn("certified: T(X^j) = Y^j as sets for all 3 pairs", out)

                # Change one rational at a time, from the last block backwards, until the model
                # breaks; a change that breaks it must be rejected by both implementations, and
                # every change must get the same verdict from both.
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                candidates = list(rational_paths(json.loads(text)))
                self.assertTrue(candidates)
                rejected = 0
                tampered = os.path.join(tmp, "tampered.model.json")
                for p in reversed(candidates[-40:]):
                    with open(tampered, "w", encoding="utf-8") as f:
                        f.write(changed(text, p))
                    py_code, py_out, _ = checker(tampered, FIGURE5)
                    sw_code, sw_out, _ = swift_verify(tampered, FIGURE5)
                    self.assertEqual(py_code, sw_code, "disagree on %s:\n%s\n%s" % (p, py_out, sw_out))
                    self.assertIn(py_code, (0, 1))
                    if py_code == 1:
                        rejected += 1
                        self.assertIn("NOT certified", py_out)
                        self.assertIn("NOT verified", sw_out)
                        if rejected >= 3:
                            break
                self.assertGreaterEqual(rejected, 1, "no single-rational change broke the model")



def suite_models():
    """(model, dataset) for every model file of Datasets/ and Tests/: with the dataset of the same
    stem next to it when there is one, else figure 5's."""
    out = []
    for base in ("Datasets", "Tests"):
        for dirpath, _, names in os.walk(os.path.join(ROOT, base)):
            for name in sorted(names):
                if not name.endswith(".model.json"):
                    continue
                path = os.path.join(dirpath, name)
                stem = name[: -len(".model.json")]
                sibling = os.path.join(dirpath, stem + ".json")
                out.append((path, sibling if os.path.isfile(sibling) else FIGURE5))
    return sorted(out)


def huge_integer_models(tmp):
    """Figure 5's model with one more block whose numbers have 5,001 digits (beyond Python's
    default 4,300-digit int/str limit): one that keeps the model interpolating (a neuron that
    never fires) and one that breaks it (a neuron adding 10^5000 · 10^-5000 = 1)."""
    with open(os.path.join(ROOT, "Tests", "golden", "draw", "figure5.model.json"), encoding="utf-8") as f:
        model = json.load(f)
    big = "1" + "0" * 5000

    def block(bias, output):
        return {"stage": "interpolation",
                "feedforward": {"eta": "1", "ridges": [{"direction": ["0", "0"],
                                                         "neurons": [{"bias": bias, "output": output}]}]},
                "attention": {"kind": "hardmax", "rho": "1", "causal": False,
                              "heads": [{"scores": {"type": "zero"}, "value": {"type": "zero"}}]}}
    paths = []
    for name, bias, output, expected in (("huge-silent", "-" + big, [big, "-" + big], 0),
                                          ("huge-shift", big, ["1/" + big, "0"], 1)):
        m = dict(model)
        m["blocks"] = model["blocks"] + [block(bias, output)]
        path = os.path.join(tmp, name + ".model.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(m, f, indent=1)
        paths.append((path, expected))
    return paths


@unittest.skipUnless(HAVE_SWIFT, "needs the exact-interp binary (EXACT_INTERP or .build/debug/exact-interp)")
class CheckerParity(unittest.TestCase):
    """`exact-interp verify` and this checker give the same verdict on every model of the test suite."""

    def test_every_model_of_the_suite(self):
        models = suite_models()
        self.assertGreater(len(models), 5)
        for model, dataset in models:
            code_s, out_s, err_s = swift_verify(model, dataset)
            code_p, out_p, err_p = checker(model, dataset)
            if code_p == 3:  # softmax: the checker declines, verify runs the enclosure certificate
                continue
            self.assertEqual(code_s, code_p, "%s on %s: verify %d (%s), checker %d (%s)"
                             % (model, dataset, code_s, (out_s + err_s)[-300:], code_p, (out_p + err_p)[-300:]))

    def test_integers_beyond_4300_digits(self):
        with tempfile.TemporaryDirectory() as tmp:
            for model, expected in huge_integer_models(tmp):
                code_s, out_s, err_s = swift_verify(model, FIGURE5)
                code_p, out_p, err_p = checker(model, FIGURE5)
                self.assertEqual(code_s, expected, "%s: %s" % (model, out_s + err_s))
                self.assertEqual(code_p, expected, "%s: %s" % (model, out_p + err_p))


def rational_paths_under(doc, prefix):
    """The rationals of the model file below the key path `prefix`."""
    node = doc
    for k in prefix:
        node = node[k]
    return [prefix + p for p in rational_paths(node)]


@unittest.skipUnless(HAVE_SWIFT, "needs the exact-interp binary (EXACT_INTERP or .build/debug/exact-interp)")
class CausalModels(unittest.TestCase):
    """construct --causal on a next-word dataset: both checkers certify it per position, and one
    changed parameter in each kind of block (context FF, context attention, interpolation FF) is
    judged alike by both, with at least one change per kind rejected by both."""

    def judge(self, tmp, model_text, dataset):
        tampered = os.path.join(tmp, "tampered.model.json")
        with open(tampered, "w", encoding="utf-8") as f:
            f.write(model_text)
        py_code, py_out, py_err = checker(tampered, dataset)
        sw_code, sw_out, sw_err = swift_verify(tampered, dataset)
        self.assertEqual(py_code, sw_code, "disagree:\n%s%s\n%s%s" % (py_out, py_err, sw_out, sw_err))
        self.assertIn(py_code, (0, 1))
        if py_code == 1:
            self.assertIn("NOT certified", py_out)
            self.assertIn("NOT verified", sw_out)
        return py_code

    def test_certified_per_position_and_mutations_rejected_per_block_kind(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "causal.model.json")
            code, out, err = run([SWIFT, "construct", "--causal", CAUSAL, "-o", path, "--quiet"])
            self.assertEqual(code, 0, out + err)
            code, out, err = checker(path, CAUSAL)
            self.assertEqual(code, 0, out + err)
            self.assertIn("certified: every position i maps to its target y_i under the causal masks, 75 positions", out)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            doc = json.loads(text)
            stages = [b["stage"] for b in doc["blocks"]]
            context = stages.index("causal-context")
            last = stages.index("causal-interpolation")
            kinds = {
                "context feed-forward": rational_paths_under(doc, ("blocks", context, "feedforward")),
                "context attention": rational_paths_under(doc, ("blocks", context, "attention")),
                "interpolation feed-forward": rational_paths_under(doc, ("blocks", last, "feedforward")),
            }
            for kind, paths in kinds.items():
                with self.subTest(kind):
                    self.assertTrue(paths)
                    rejected = 0
                    for p in paths[:24]:
                        if self.judge(tmp, changed(text, p), CAUSAL) == 1:
                            rejected += 1
                            if rejected >= 3:
                                break
                    self.assertGreaterEqual(rejected, 1, "no single change in the %s broke the model" % kind)
            # Removing the mask of the context attention: no longer a causal model, for both.
            unmasked = json.loads(text)
            unmasked["blocks"][context]["attention"]["causal"] = False
            self.assertEqual(self.judge(tmp, json.dumps(unmasked, indent=2) + "\n", CAUSAL), 1)

    def test_digest_and_generator(self):
        d, pairs, causal = vc.read_dataset(CAUSAL)
        self.assertTrue(causal)
        code, out, _ = swift_verify(os.path.join(ROOT, "out", "missing.model.json"), CAUSAL)
        self.assertEqual(code, 2)
        # The shipped dataset is what the generator builds, and its digest has the causal line.
        self.assertEqual(nwt.main(["next_word_testdata.py", "--check"]), 0)
        self.assertNotEqual(vc.dataset_digest(d, pairs, True), vc.dataset_digest(d, pairs, False))

    @unittest.skipUnless(os.environ.get("CAUSAL_LARGE") == "1", "set CAUSAL_LARGE=1 (about 30 s of CPU in Python)")
    def test_licence_text_with_1000_positions(self):
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "gpl3.json")
            with open(data, "w", encoding="utf-8") as f:
                f.write(nwt.render(nwt.dataset(os.path.join(nwt.LICENCES, "GPL-3"), 2, 1000)))
            path = os.path.join(tmp, "gpl3.model.json")
            code, out, err = run([SWIFT, "construct", "--causal", data, "-o", path, "--quiet"])
            self.assertEqual(code, 0, out + err)
            code, out, err = run([sys.executable, CHECKER, path, data, "--quiet"])
            self.assertEqual(code, 0, out + err)
            print(out.strip())


if __name__ == "__main__":
    unittest.main(verbosity=2)
