#!/usr/bin/env python3
"""Command transcripts in docs/*.md and README.md come from the CLI goldens, so they cannot go stale.

A transcript is marked by an HTML comment on the line before its code block (indented or fenced):

    <!-- transcript: Tests/golden/construct/doc-figure5-narrow -->
        $ exact-interp construct Datasets/figure5.json -o out/figure5.model.json --layout narrow --quiet
        dataset: N = 3, d = 2, Σn = 12, Σm = 6
        ...

The block's first line, `$ COMMAND`, must be the golden's .cmd (without leading VAR=value settings
and a trailing `2>&1`), and the lines after it the golden's standard output (.out), both read with
`$SCRATCH/` (the goldens' scratch folder, tools/run-golden.sh) shown as `out/`. A marker may name
several goldens, one per `$ COMMAND` of the block, in order. With `<!-- transcript: GOLDEN excerpt -->` the
block shows parts of the output: its lines, split at lines holding only `…`, must each appear as a
run of consecutive lines of the output, in order. With `stderr` the block shows the golden's
standard error (.err, as normalised by the runner: progress times read `[TIME]`) instead.

Blocks with a `$ exact-interp` (or `$ python3 tools/`) line that carry no marker are listed as
unmarked transcripts (docs/lemmas.md's `<!-- golden: NAME -->` blocks are tools/lemma-docs.py's);
`--strict` makes them a failure.

  tools/check-doc-transcripts.py            check; exit 1 on a stale transcript
  tools/check-doc-transcripts.py --write    rewrite every full (non-excerpt) transcript from its golden
  tools/check-doc-transcripts.py --strict   also fail on unmarked transcripts
Standard library only; run from the repository root.
"""
import difflib
import re
import sys
from pathlib import Path

DOCS = sorted(Path("docs").glob("*.md")) + [Path("README.md")]
MARK = re.compile(r"^\s*<!-- transcript: (?P<words>[^>]+?) -->\s*$")
FLAGS = {"excerpt", "stderr"}
LEMMA_MARK = re.compile(r"^\s*<!-- golden: [\w.\-]+ -->\s*$")
COMMAND = re.compile(r"^\$ (exact-interp|python3 tools/)")
ENV = re.compile(r"^(\w+=\S*\s+)+")
MERGED = re.compile(r"\s+2>&1$")


def display(text):
    return text.replace("$SCRATCH/", "out/")


def blocks(lines):
    """(start, end, indent, fenced) of every code block: lines[start:end] are its content lines."""
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = re.match(r"^(\s*)```", line)
        if fence:
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith("```"):
                j += 1
            yield i + 1, j, fence.group(1), True
            i = j + 1
            continue
        m = re.match(r"^( {4,})\S", line)
        if m and (i == 0 or lines[i - 1].strip() == "" or MARK.match(lines[i - 1])):
            indent = m.group(1)
            j = i
            while j < len(lines) and (lines[j].startswith(indent) or lines[j].strip() == ""):
                j += 1
            while j > i and lines[j - 1].strip() == "":
                j -= 1
            yield i, j, indent, False
            i = j
            continue
        i += 1


def strip_indent(line, indent):
    return line[len(indent):] if line.startswith(indent) else line.strip()


def expected(golden, stream="out"):
    cmd = Path(golden + ".cmd")
    out = Path(golden + "." + stream)
    if not cmd.exists() or not out.exists():
        return None, None
    command = MERGED.sub("", ENV.sub("", cmd.read_text().strip()))
    return display(command), display(out.read_text()).rstrip("\n").split("\n")


def in_order(chunks, output):
    at = 0
    for chunk in chunks:
        n = len(chunk)
        while at + n <= len(output) and output[at:at + n] != chunk:
            at += 1
        if at + n > len(output):
            return chunk
        at += n
    return None


def main():
    write = "--write" in sys.argv[1:]
    strict = "--strict" in sys.argv[1:]
    checked, problems, unmarked = 0, [], []
    for doc in DOCS:
        text = doc.read_text()
        lines = text.split("\n")
        changed = False
        for start, end, indent, fenced in list(blocks(lines)):
            body = [strip_indent(l, indent) for l in lines[start:end]]
            mark_line = start - 2 if fenced else start - 1
            mark = MARK.match(lines[mark_line]) if mark_line >= 0 else None
            where = f"{doc}:{start + 1}"
            if not mark:
                lemma = mark_line >= 0 and LEMMA_MARK.match(lines[mark_line])
                if not lemma and any(COMMAND.match(l) for l in body):
                    first = next(l for l in body if COMMAND.match(l))
                    if len(body) > 1:  # a command with output shown
                        unmarked.append(f"{where}: {first}")
                continue
            checked += 1
            words = mark.group("words").split()
            goldens = [w for w in words if w not in FLAGS]
            excerpt, stream = "excerpt" in words, "err" if "stderr" in words else "out"
            segments = []  # (offset in body, lines) per `$ ` command
            for k, l in enumerate(body):
                if l.startswith("$ "):
                    segments.append((k, [l]))
                elif segments:
                    segments[-1][1].append(l)
            if not body or not body[0].startswith("$ ") or len(segments) != len(goldens):
                problems.append(f"{where}: the transcript must be {len(goldens)} `$ COMMAND` line(s), each followed by its output")
                continue
            for (offset, seg), golden in zip(segments, goldens):
                command, output = expected(golden, stream)
                if command is None:
                    problems.append(f"{where}: {golden}: no such golden (.cmd and .out)")
                    continue
                if seg[0][2:] != command:
                    problems.append(f"{where}: command differs from {golden}.cmd:\n    doc:    {seg[0][2:]}\n    golden: {command}")
                shown = seg[1:]
                if excerpt:
                    chunks, chunk = [], []
                    for l in shown:
                        if l.strip() == "…":
                            chunks.append(chunk); chunk = []
                        else:
                            chunk.append(l)
                    chunks.append(chunk)
                    missing = in_order([c for c in chunks if c], output)
                    if missing is not None:
                        problems.append(f"{where}: excerpt not in {golden}.{stream} (in order): " + "\n    ".join([""] + missing))
                elif shown != output:
                    if write:
                        at = start + offset + 1
                        lines[at:at + len(shown)] = [indent + l if l else "" for l in output]
                        changed = True
                        break
                    diff = difflib.unified_diff(shown, output, f"{doc} (shown)", f"{golden}.{stream}", lineterm="", n=1)
                    problems.append(f"{where}: output differs from {golden}.{stream}:\n" + "\n".join("    " + d for d in diff))
            if changed:
                break  # line numbers moved: the next run checks the rest
        if changed:
            doc.write_text("\n".join(lines))
            print(f"{doc}: rewritten from the goldens (run again until nothing changes)")
    for u in unmarked:
        print(f"unmarked transcript: {u}")
    for p in problems:
        print(f"STALE: {p}")
    print(f"doc transcripts: {checked} checked against their goldens, {len(problems)} stale, {len(unmarked)} unmarked")
    if checked == 0:
        print("no marked transcript found: nothing was checked")
        return 1
    return 1 if problems or (strict and unmarked) else 0


if __name__ == "__main__":
    sys.exit(main())
