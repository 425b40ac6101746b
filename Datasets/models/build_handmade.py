#!/usr/bin/env python3
"""Builds the hand-made models of this folder (see README.md), deterministically.

    python3 Datasets/models/build_handmade.py           # (re)write the files
    python3 Datasets/models/build_handmade.py --check   # exit 1 if a shipped file differs

Python 3 standard library only. Every model is checked here with the independent evaluator of
tools/verify_certificate.py before it is written; `exact-interp eval` and `verify` re-check them.
"""

import os
import sys
from fractions import Fraction as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import verify_certificate as vc  # noqa: E402  (the reader, the digest and the exact evaluator)


# ---------------------------------------------------------------------------------------------
# JSON in the layout exact-interp writes (two-space indentation, short scalar arrays on one line),
# so that `exact-interp` re-writing a model gives the same bytes.

def quoted(s):
    out = '"'
    for ch in s:
        if ch == '"':
            out += '\\"'
        elif ch == "\\":
            out += "\\\\"
        elif ch == "\n":
            out += "\\n"
        elif ch == "\r":
            out += "\\r"
        elif ch == "\t":
            out += "\\t"
        elif ord(ch) < 0x20:
            out += "\\u%04x" % ord(ch)
        else:
            out += ch
    return out + '"'


class Raw(str):
    """A JSON number written as is."""


def is_scalar(v):
    return not isinstance(v, (list, dict))


def is_flat(v):
    return isinstance(v, list) and len(v) <= 16 and all(is_scalar(x) for x in v)


def render(v, indent=0):
    pad = "  " * indent
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Raw):
        return str(v)
    if isinstance(v, str):
        return quoted(v)
    if isinstance(v, list):
        if not v:
            return "[]"
        if len(v) <= 64 and all(is_scalar(x) or is_flat(x) for x in v):
            return "[" + ", ".join(render(x, indent) for x in v) + "]"
        return "[\n" + ",\n".join(pad + "  " + render(x, indent + 1) for x in v) + "\n" + pad + "]"
    if not v:
        return "{}"
    return "{\n" + ",\n".join(pad + "  " + quoted(k) + ": " + render(x, indent + 1) for k, x in v.items()) + "\n" + pad + "}"


def q(x):
    """A rational as the model format writes it: "p/q" or "p"."""
    return vc.text_of(F(x))


def vec(xs):
    return [q(x) for x in xs]


def coord(x):
    """A dataset coordinate: a plain integer when it is one, else the exact string."""
    x = F(x)
    return Raw(str(x.numerator)) if x.denominator == 1 else q(x)


# ---------------------------------------------------------------------------------------------
# Layers as model-file JSON.

def identity_ff():
    return {"eta": "1", "ridges": []}


def identity_sa():
    return {"kind": "hardmax", "rho": "1", "causal": False, "heads": []}


def hat_ridge(u, center, eps, displacement):
    """Lemma 4.8: hat(t) = relu(t - a + eps) - 2 relu(t - a) + relu(t - a - eps) along u,
    times `displacement`: moves the point with <u, p> = a by eps * displacement, fixes every
    point whose projection is at least eps away from a."""
    return {"direction": vec(u), "neurons": [
        {"bias": q(eps - center), "output": vec(displacement)},
        {"bias": q(-center), "output": vec([-2 * c for c in displacement])},
        {"bias": q(-center - eps), "output": vec(displacement)},
    ]}


def rank_one_sa(p, qv, rho, value_scale):
    return {"kind": "hardmax", "rho": q(rho), "causal": False, "heads": [
        {"scores": {"type": "rank_one", "p": vec(p), "q": vec(qv)},
         "value": {"type": "scaled_identity", "scale": q(value_scale)}}]}


def model(d, blocks, digest, note):
    return {"format": "exact-interp-model", "version": Raw("1"), "dimension": Raw(str(d)),
            "dataset_digest": digest,
            "metadata": {"construction": "hand-made (Datasets/models/build_handmade.py)", "note": note},
            "blocks": blocks}


def dataset(name, d, pairs):
    return {"name": name, "dimension": Raw(str(d)), "pairs": [
        {"input": [[coord(c) for c in t] for t in xs], "output": [[coord(c) for c in t] for t in ys]}
        for xs, ys in pairs]}


def evaluate(model_json, pairs):
    """T(X^j) for every pair, with the checker's exact evaluator."""
    _, blocks, _ = vc.read_model("(model being built)", render(model_json))
    return [vc.evaluate(blocks, xs) for xs, _ in pairs]


def interpolates(model_json, pairs):
    outs = evaluate(model_json, pairs)
    return [set(map(tuple, o)) == set(map(tuple, ys)) for o, (_, ys) in zip(outs, pairs)]


def distinct(tokens):
    seen, out = set(), []
    for t in tokens:
        if tuple(t) not in seen:
            seen.add(tuple(t))
            out.append(list(t))
    return out


# ---------------------------------------------------------------------------------------------
# 1. figure5-handmade: separation by one rank-one attention layer, then one FF of hats.

def figure5():
    d, pairs, _ = vc.read_dataset(os.path.join(ROOT, "Datasets", "figure5.json"))
    digest = vc.dataset_digest(d, pairs)
    # Block 1 (separation): A = w w^T with w = (1, 1), V = I, rho = 1, so x_i -> x_i + x_leader:
    # alpha_i = <x_i, w> > 0 adds the token of largest <w, .> in its own sequence, alpha_i < 0 the
    # smallest, alpha_i = 0 the mean of the sequence. (0, 1), shared by pairs 0 and 2, becomes
    # (1/2, 4) in pair 0 and (2, 3) in pair 2: no value is shared any more.
    w = [F(1), F(1)]
    block1 = {"stage": "separation", "feedforward": identity_ff(), "attention": rank_one_sa(w, w, 1, 1)}
    separated = evaluate(model(d, [block1], digest, ""), pairs)
    values = [distinct(s) for s in separated]
    owners = {}
    for j, vs in enumerate(values):
        assert len(vs) == len(distinct(pairs[j][0])), "separation merged tokens of pair %d" % j
        for v in vs:
            assert owners.setdefault(tuple(v), j) == j, "value %s shared by two pairs" % vc.show(v)
    # Block 2 (interpolation): one hat per separated value, all along u = (1, 3), on which the 12
    # values have distinct projections; every hat has half-width eps = half the smallest gap, so
    # the supports are disjoint. Value k of pair j goes to output k mod m^j: every output is hit.
    u = [F(1), F(3)]
    proj = sorted(vc.dot(u, v) for vs in values for v in vs)
    assert len(set(proj)) == len(proj), "u does not separate the values"
    eps = min(b - a for a, b in zip(proj, proj[1:])) / 2
    ridges = []
    for j, vs in enumerate(values):
        outputs = distinct(pairs[j][1])
        for k, v in enumerate(vs):
            y = outputs[k % len(outputs)]
            if y != v:
                ridges.append(hat_ridge(u, vc.dot(u, v), eps, [(yc - vc_) / eps for yc, vc_ in zip(y, v)]))
    block2 = {"stage": "interpolation", "feedforward": {"eta": "1", "ridges": ridges}, "attention": identity_sa()}
    good = model(d, [block1, block2], digest,
                 "separation by one rank-one hardmax layer, then one hat per value (Lemma 4.8)")
    assert all(interpolates(good, pairs)), "figure5-handmade does not interpolate"

    # The wrong model: one rational changed, the first coordinate of the middle neuron of the hat
    # that sends pair 1's first value to (-2, 1/3). At its centre only the first neuron is active,
    # so pair 1 still lands on (-2, 1/3); but the three neurons no longer cancel beyond the support,
    # so every value projecting above it on u is pushed off its target: pairs 0 and 2 fail.
    bad_model = eval_copy(good)
    hat = bad_model["blocks"][1]["feedforward"]["ridges"][len(values[0])]
    old = hat["neurons"][1]["output"][0]
    hat["neurons"][1]["output"][0] = q(F(old) + 1)
    bad_model["metadata"]["note"] = ("figure5-handmade with ONE rational changed: blocks[1].feedforward.ridges[%d]"
                                     ".neurons[1].output[0] is %s instead of %s" % (len(values[0]), hat["neurons"][1]["output"][0], old))
    assert not all(interpolates(bad_model, pairs)), "the wrong model still interpolates"
    return {"figure5-handmade.model.json": render(good) + "\n", "figure5-wrong.model.json": render(bad_model) + "\n"}


def eval_copy(v):
    if isinstance(v, dict):
        return {k: eval_copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [eval_copy(x) for x in v]
    return v


# ---------------------------------------------------------------------------------------------
# 2. tiny-hat: a hat of half-width 2^-60 that float64 cannot resolve.

TINY = F(1, 2 ** 60)


def tiny_hat():
    # Two one-token pairs: (1, 0) -> (0, 1), and (1, 2^-60) stays where it is. Both inputs are
    # exact doubles. Along u = (1, 1) they project to a = 1 and a + eps, eps = 2^-60: exactly, the
    # hat is 1 at the first token and 0 at the second (it sits on the kink of the third neuron).
    # In float64 the biases eps - a and -a - eps both round to -1 and 1 + 2^-60 rounds to 1: the hat
    # has width zero, moves nothing, and float64 reports pair 0 as not interpolated.
    pairs = [([[F(1), F(0)]], [[F(0), F(1)]]),
             ([[F(1), TINY]], [[F(1), TINY]])]
    data = dataset("tiny-hat", 2, pairs)
    digest = vc.dataset_digest(2, pairs)
    u = [F(1), F(1)]
    displacement = [(F(0) - 1) / TINY, (F(1) - 0) / TINY]  # ((0, 1) - (1, 0)) / eps
    block = {"stage": "interpolation",
             "feedforward": {"eta": "1", "ridges": [hat_ridge(u, F(1), TINY, displacement)]},
             "attention": identity_sa()}
    m = model(2, [block], digest, "one hat of half-width 2^-60 along u = (1, 1), centred at <u, (1, 0)> = 1: "
              "exactly it moves (1, 0) to (0, 1) and fixes (1, 2^-60); in float64 its biases round to -1 and it moves nothing")
    assert all(interpolates(m, pairs))
    return {"tiny-hat.json": render(data) + "\n", "tiny-hat.model.json": render(m) + "\n"}


# ---------------------------------------------------------------------------------------------
# 3. near-tie: two hardmax scores 2^-60 apart, equal in float64.

def near_tie():
    # One pair in d = 3: x1 = (1, 2^-60, 5), x2 = (1, 0, -5) -> {x1}. A = p q^T with p = e_1 and
    # q = (1, 1, 0): alpha = 1 for both tokens, beta = (1 + 2^-60, 1). Exactly, both attend to x1
    # alone (V = I, rho = 0). In float64 1 + 2^-60 rounds to 1: a tie, and both tokens get the mean
    # (1, 2^-61, 0), at distance 5 from the output.
    pairs = [([[F(1), TINY, F(5)], [F(1), F(0), F(-5)]], [[F(1), TINY, F(5)]])]
    data = dataset("near-tie", 3, pairs)
    digest = vc.dataset_digest(3, pairs)
    block = {"stage": "collapse", "feedforward": identity_ff(),
             "attention": rank_one_sa([F(1), F(0), F(0)], [F(1), F(1), F(0)], 0, 1)}
    m = model(3, [block], digest, "rank-one hardmax whose two scores differ by 2^-60")
    assert all(interpolates(m, pairs))
    return {"near-tie.json": render(data) + "\n", "near-tie.model.json": render(m) + "\n"}


def main(argv):
    files = {}
    for build in (figure5, tiny_hat, near_tie):
        files.update(build())
    check = "--check" in argv[1:]
    stale = []
    for name in sorted(files):
        path = os.path.join(HERE, name)
        if check:
            try:
                with open(path, encoding="utf-8") as f:
                    current = f.read()
            except OSError:
                current = None
            if current != files[name]:
                stale.append(name)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(files[name])
            print("wrote Datasets/models/" + name)
    if stale:
        print("out of date (run python3 Datasets/models/build_handmade.py): " + ", ".join(stale))
        return 1
    if check:
        print("build_handmade.py --check: %d files up to date" % len(files))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
