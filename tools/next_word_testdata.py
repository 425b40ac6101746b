#!/usr/bin/env python3
"""Small next-word causal datasets from the licence texts, for tests and examples only.

    tools/next_word_testdata.py LICENCE DIMENSION MAX_POSITIONS > FILE.json
    tools/next_word_testdata.py --check      # the shipped Datasets/causal/*-next-word.json are current

The real-text command (`exact-interp from-text --task causal`) is a separate feature; this is a
deterministic stand-in that mirrors the Swift test helper Sources/DatasetGeneration/NextWordData.swift:
sentences end at . ; : ! ?, words are lower-case runs of [a-z0-9], a word is embedded as the integer
vector whose coordinate c is byte c of its 64-bit FNV-1a hash modulo 16 (docs/causal.md). A
sentence w_1 ... w_n (n >= 2) gives input e(w_1) ... e(w_{n-1}) and targets e(w_2) ... e(w_n);
sentences that would make the dataset inconsistent are dropped.
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LICENCES = "/usr/share/common-licenses"
# (shipped file, licence, dimension, positions)
SHIPPED = [("Datasets/causal/bsd-next-word.json", "BSD", 2, 60)]


def embedding(word, d, modulus=16):
    h = 0xcbf29ce484222325
    for b in word.encode("utf-8"):
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return [((h >> (8 * (c % 8))) % modulus) + c // 8 for c in range(d)]


def dataset(path, d, maximum_positions, modulus=16):
    with open(path, encoding="utf-8") as f:
        text = f.read().lower()
    pairs, target_of, constant_target, positions = [], {}, {}, 0
    for sentence in re.split(r"[.;:!?]", text):
        words = re.findall(r"[a-z0-9]+", sentence)
        if len(words) < 2:
            continue
        e = [embedding(w, d, modulus) for w in words]
        xs, ys = e[:-1], e[1:]
        fresh, ok = {}, True
        for i in range(len(xs)):
            key = tuple(tuple(x) for x in xs[: i + 1])
            t = target_of.get(key, fresh.get(key))
            if t is not None and t != ys[i]:
                ok = False
                break
            fresh[key] = ys[i]
        run, constant = 0, constant_target.get(tuple(xs[0]))
        while ok and run < len(xs) and xs[run] == xs[0]:
            if constant is not None and constant != ys[run]:
                ok = False
            constant = ys[run] if constant is None else constant
            run += 1
        if not ok:
            continue
        for k, v in fresh.items():
            target_of.setdefault(k, v)
        constant_target[tuple(xs[0])] = constant
        pairs.append({"input": xs, "output": ys})
        positions += len(xs)
        if positions >= maximum_positions:
            break
    return {"name": "next-word", "dimension": d, "causal": True, "pairs": pairs}


def render(data):
    """The dataset as exact-interp writes datasets: one pair per line block, two-space indent."""
    lines = ["{", '  "name": %s,' % json.dumps(data["name"]), '  "dimension": %d,' % data["dimension"],
             '  "causal": true,', '  "pairs": [']
    for j, p in enumerate(data["pairs"]):
        lines.append("    {")
        lines.append('      "input": %s,' % json.dumps(p["input"], separators=(", ", ": ")).replace("], [", "], ["))
        lines.append('      "output": %s' % json.dumps(p["output"], separators=(", ", ": ")))
        lines.append("    }" + ("," if j + 1 < len(data["pairs"]) else ""))
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def main(argv):
    if argv[1:] == ["--check"]:
        stale = []
        for f, lic, d, n in SHIPPED:
            with open(os.path.join(ROOT, f), encoding="utf-8") as shipped:
                if shipped.read() != render(dataset(os.path.join(LICENCES, lic), d, n)):
                    stale.append(f)
        for f in stale:
            sys.stderr.write("%s is not what tools/next_word_testdata.py builds\n" % f)
        return 1 if stale else 0
    if argv[1:] == ["--write"]:
        for f, lic, d, n in SHIPPED:
            with open(os.path.join(ROOT, f), "w") as out:
                out.write(render(dataset(os.path.join(LICENCES, lic), d, n)))
        return 0
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 64
    sys.stdout.write(render(dataset(argv[1], int(argv[2]), int(argv[3]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
