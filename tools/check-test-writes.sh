#!/usr/bin/env bash
# `make test` writes only under .build (goldens: .build/test-scratch; consumer-test:
# .build/consumer-test; temporary directories under $TMPDIR). Lists every file or directory of the
# working tree, outside .build and .git, modified after STAMP (touched when `make test` started), and
# fails if there is one: a test that wrote into out/ (the demo's folder) or the source tree.
# Package.resolved is SwiftPM's own (written by the first build of a fresh clone, git-ignored).
#   tools/check-test-writes.sh STAMP
set -u
stamp="$1"
[ -f "$stamp" ] || { echo "check-test-writes: no stamp $stamp" >&2; exit 1; }
written=$(find . \( -path ./.build -o -path ./.git -o -path ./Package.resolved \) -prune -o -newer "$stamp" -print | grep -v '^\.$' | sort)
if [ -n "$written" ]; then
  echo "FAIL: make test wrote outside .build (it must write only to its scratch folders):"
  printf '  %s\n' $written
  exit 1
fi
echo "make test wrote nothing outside .build (out/ and the source tree untouched)"
