#!/usr/bin/env python3
"""The construct-and-certify property through the command line, with the independent checker.

    tools/properties.py EXACT_INTERP [--count K] [--seed S] [--keep DIR]

For K seeds (default 20, from S on) and each kind of the validity-space profile (sets, labelled,
causal), `exact-interp generate --profile validity-space` writes a dataset; every mode that applies
is then run as a user would: `construct` (narrow and compact hardmax for sets and labelled data,
`--causal` for causal data), `verify` on the written model, and tools/verify_certificate.py on the
same files. The property: construct exits 0, verify exits 0, and the Python checker exits 0 (it
agrees). d = 1 set and labelled datasets must be accepted by validate and refused by construct with
exit 2 (the theorems need d ≥ 2); `construct --causal` takes any d. Softmax models are checked by the Swift property tests only: the Python
checker does not evaluate softmax (its exit 3).

Prints one line per failure (mode, seed, the exit codes, the dataset kept under --keep, default
out/properties-failures) and a summary per mode with counts and time; exits 1 when anything fails.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(HERE, "verify_certificate.py")

MODES = [  # (mode, kind, construct options)
    ("narrow-hardmax", "sets", ["--layout", "narrow"]),
    ("compact-hardmax", "sets", ["--layout", "compact"]),
    ("labelled-narrow", "labelled", ["--layout", "narrow"]),
    ("labelled-compact", "labelled", ["--layout", "compact"]),
    ("causal", "causal", ["--causal"]),
]


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout + p.stderr


def dimension(path):
    import json
    with open(path) as f:
        return json.load(f)["dimension"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", default="out/properties-failures")
    ap.add_argument("--kinds", default="sets,labelled,causal", help="which generated kinds to run (comma-separated)")
    args = ap.parse_args()
    stats = {mode: {"checked": 0, "skipped": 0, "failed": 0, "seconds": 0.0} for mode, _, _ in MODES}
    failures = 0
    work = tempfile.mkdtemp(prefix="exact-interp-properties-")
    try:
        for seed in range(args.seed, args.seed + args.count):
            for kind in args.kinds.split(","):
                data = os.path.join(work, "%s-%d.json" % (kind, seed))
                code, out = run([args.binary, "generate", "--profile", "validity-space", "--kind", kind,
                                 "--seed", str(seed), "-o", data])
                if code != 0:
                    print("FAIL generate --kind %s --seed %d: exit %d\n%s" % (kind, seed, code, out))
                    failures += 1
                    continue
                code, out = run([args.binary, "validate", data])
                if code != 0:
                    print("FAIL validate (generated %s, seed %d): exit %d\n%s" % (kind, seed, code, out))
                    failures += 1
                    shutil.copy(data, keep(args.keep, "validate", kind, seed))
                    continue
                d = dimension(data)
                for mode, mode_kind, options in MODES:
                    if mode_kind != kind:
                        continue
                    s = stats[mode]
                    model = os.path.join(work, "%s-%d.model.json" % (mode, seed))
                    started = time.time()
                    c, out = run([args.binary, "construct", data, "-o", model, "--quiet"] + options)
                    if d < 2 and kind != "causal":
                        s["skipped"] += 1
                        if c != 2 or "d ≥ 2" not in out:
                            print("FAIL %s seed %d: d = 1 should be refused with exit 2, got %d\n%s" % (mode, seed, c, out))
                            s["failed"] += 1
                        s["seconds"] += time.time() - started
                        continue
                    s["checked"] += 1
                    v = p = None
                    if c == 0:
                        v, vout = run([args.binary, "verify", model, data, "--quiet"])
                        p, pout = run([sys.executable, CHECKER, model, data, "--quiet"])
                    s["seconds"] += time.time() - started
                    if c != 0 or v != 0 or p != 0:
                        s["failed"] += 1
                        kept = keep(args.keep, mode, kind, seed)
                        shutil.copy(data, kept)
                        print("FAIL %s seed %d: construct %s, verify %s, verify_certificate.py %s (dataset: %s)"
                              % (mode, seed, c, v, p, kept))
                        if c != 0:
                            print("  " + out.strip().splitlines()[-1] if out.strip() else "")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for mode, _, _ in MODES:
        s = stats[mode]
        failures += s["failed"]
        print("properties.py %-17s %4d datasets checked through the CLI and the Python checker (%d with d = 1 refused as expected), "
              "%d failed, %.1f s" % (mode, s["checked"], s["skipped"], s["failed"], s["seconds"]))
    return 1 if failures else 0


def keep(folder, mode, kind, seed):
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, "%s-%s-seed%d.json" % (mode, kind, seed))


if __name__ == "__main__":
    sys.exit(main())
