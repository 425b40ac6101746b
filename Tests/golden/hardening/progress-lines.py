#!/usr/bin/env python3
"""Golden helper: checks the heartbeat lines of a run with EXACT_INTERP_PROGRESS_INTERVAL=0
(docs/cli.md), read from standard input. Prints the first and the last line with the elapsed time
replaced by T, then whether every line has the documented format
"[<seconds>s] LABEL: <p>% of the estimated work done (estimate: ...)" and whether the percentages
never decrease. Usage: progress-lines.py LABEL."""
import re
import sys

label = sys.argv[1]
pattern = re.compile(r"\[(\d+\.\d\d)s\] " + re.escape(label) + r": (\d+)% of the estimated work done "
                     r"\(estimate: n² attention pairs per block and sequence, scaled by the numbers' word size\)")
lines = sys.stdin.read().splitlines()
matches = [pattern.fullmatch(line) for line in lines]
if not lines:
    print("no progress lines")
    sys.exit(0)
print(re.sub(r"^\[\d+\.\d\ds\]", "[T]", lines[0]))
print(re.sub(r"^\[\d+\.\d\ds\]", "[T]", lines[-1]))
bad = [line for line, m in zip(lines, matches) if m is None]
print("every line in the format:", "yes" if not bad else f"no: {bad[0]!r}")
percents = [int(m.group(2)) for m in matches if m]
seconds = [float(m.group(1)) for m in matches if m]
print("percentages and times never decrease:",
      "yes" if percents == sorted(percents) and seconds == sorted(seconds) else f"no: {percents}")
