#!/usr/bin/env python3
"""Keeps the CLI examples in docs/lemmas.md equal to the golden outputs in Datasets/lemmas/golden.

Every block

    <!-- golden: NAME -->
    ...
    <!-- end golden -->

is replaced by the command of NAME.cmd, its standard output NAME.out and exit code NAME.code.
`--check` only reports whether the document is up to date (exit 1 if not). Standard library only.
"""
import re
import sys
from pathlib import Path

DOC = Path("docs/lemmas.md")
GOLDEN = Path("Datasets/lemmas/golden")
BLOCK = re.compile(r"<!-- golden: (?P<name>[\w.\-]+) -->\n.*?<!-- end golden -->", re.S)


def render(match):
    name = match.group("name")
    cmd = (GOLDEN / f"{name}.cmd").read_text().strip()
    out = (GOLDEN / f"{name}.out").read_text().rstrip("\n")
    code_file = GOLDEN / f"{name}.code"
    code = code_file.read_text().strip() if code_file.exists() else "0"
    return f"<!-- golden: {name} -->\n```\n$ {cmd}\n{out}\n$ echo $?\n{code}\n```\n<!-- end golden -->"


def main():
    text = DOC.read_text()
    new = BLOCK.sub(render, text)
    if "--check" in sys.argv[1:]:
        if new != text:
            print("docs/lemmas.md: CLI examples differ from the goldens; run tools/lemma-docs.py")
            return 1
        print(f"docs/lemmas.md: {len(BLOCK.findall(text))} CLI examples match the goldens")
        return 0
    DOC.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
