#!/usr/bin/env bash
# Runs `exact-interp lemmas` on every dataset under DIR (model files *.model.json and the dynamics
# inputs of */dynamics/ excluded) and
# requires exit 0. A file the CLI rejects as invalid input (exit 2) is skipped with a notice, so
# deliberately malformed test inputs do not count, but fewer than MIN_PASSED (10) passing datasets
# fail. Prints "lemmas on N datasets: P passed, F failed, S skipped".
set -u
bin="$1"; dir="$2"
pass=0; fail=0; skipped=0
while IFS= read -r file; do
  out=$("$bin" lemmas "$file" 2>&1); code=$?
  case "$code" in
    0) pass=$((pass+1)) ;;
    2) skipped=$((skipped+1)); echo "skipped (invalid input): $file" ;;
    *) fail=$((fail+1)); echo "FAIL: exact-interp lemmas $file (exit $code)"; printf '%s\n' "$out" | grep -E 'FAILS|reason' | head -10 ;;
  esac
done < <(find "$dir" -name '*.json' ! -name '*.model.json' ! -path '*/dynamics/*' | sort)
echo "lemmas on $((pass+fail+skipped)) datasets: $pass passed, $fail failed, $skipped skipped"
# Skips must not hide the check: at least MIN_PASSED datasets (default 10; 15 today) pass.
if [ "$pass" -lt "${MIN_PASSED:-10}" ]; then echo "FAIL: only $pass datasets checked (at least ${MIN_PASSED:-10} expected)"; exit 1; fi
[ "$fail" = 0 ]
