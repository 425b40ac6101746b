#!/usr/bin/env bash
# CLI golden tests (docs/testing.md#cli-goldens).
#
#   tools/run-golden.sh BIN DIR [FILTER...]
#
# Every DIR/**/NAME.cmd holds one command line (with `exact-interp` as the program). It runs from the
# repository root; its standard output, standard error and exit code must equal NAME.out, NAME.err
# and NAME.code (NAME.code may be absent for exit 0; a missing .out or .err is a failure). Goldens
# run in path order, all of them even with a FILTER: a later golden may read what an earlier one
# wrote.
#
# Scratch folder: every file a golden writes goes under $SCRATCH (an absolute path,
# .build/test-scratch/golden, emptied at the start of every run), never into out/ or the source tree.
# A .cmd names it as `$SCRATCH/...`.
#
# Normalisation (applied to standard output and standard error before comparing and writing; keep
# this list short and documented in docs/testing.md):
#   the scratch folder's absolute path        → $SCRATCH
#   the repository's absolute path            → $ROOT
#   elapsed times of progress lines [1.23s]   → [TIME]
#   the PID in temporary names .x.partial-123 → .x.partial-PID
# and EXACT_INTERP_PROGRESS_INTERVAL is 86400 unless the .cmd sets it, so no timed heartbeat line
# appears on a slow machine.
#
# FILTER: only goldens whose .cmd path contains one of the FILTER strings are compared (or
# rewritten); the others still run, unchecked. GOLDEN_FILTER (space-separated) does the same.
#
# UPDATE_GOLDEN=1 rewrites .out/.err/.code from the actual results, printing a unified diff of every
# file it changes. It refuses (the golden stays as it is, the run exits 1, saying which and why) to
# change an exit code, or any line stating a block count (matching `blocks:` or `N blocks`, `1 block`), unless
# UPDATE_GOLDEN_ALLOW lists it: UPDATE_GOLDEN_ALLOW=exit-code,blocks.
#
# Prints "golden DIR: N passed, M failed" (and "K unchecked" with a filter).
set -u
bin="$1"; dir="$2"; shift 2
filters=("$@")
if [ -n "${GOLDEN_FILTER:-}" ]; then read -r -a more <<< "$GOLDEN_FILTER"; filters+=("${more[@]}"); fi
if [ ! -d "$dir" ]; then echo "golden $dir: no such directory" >&2; exit 1; fi
root=$(pwd)
update="${UPDATE_GOLDEN:-0}"
allow=",${UPDATE_GOLDEN_ALLOW:-},"
case "$update" in 0|1) ;; *) echo "UPDATE_GOLDEN must be 0 or 1 (use UPDATE_GOLDEN_ALLOW=exit-code,blocks to allow those changes)" >&2; exit 64 ;; esac

SCRATCH="$root/.build/test-scratch/golden"
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
export SCRATCH ROOT="$root"
export EXACT_INTERP_PROGRESS_INTERVAL="${EXACT_INTERP_PROGRESS_INTERVAL:-86400}"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# The normalising filter (see above).
normalise() {
  sed -E -e "s|$SCRATCH|\$SCRATCH|g" -e "s|$root|\$ROOT|g" \
         -e 's/\[[0-9]+\.[0-9]+s\]/[TIME]/g' -e 's/\.partial-[0-9]+/.partial-PID/g'
}
# Lines that state a block count.
block_lines() { grep -E 'blocks?:|[0-9]+ +blocks?\b' "$1" 2>/dev/null; }

selected() {
  [ ${#filters[@]} = 0 ] && return 0
  local f; for f in "${filters[@]}"; do case "$1" in *"$f"*) return 0 ;; esac; done
  return 1
}

# Writes $2 over $1 when they differ, printing the unified diff.
replace() {
  if ! cmp -s "$1" "$2"; then
    diff -u --label "$1 (before)" --label "$1 (after)" "$([ -f "$1" ] && echo "$1" || echo /dev/null)" "$2"
    cp "$2" "$1"
  fi
}

pass=0; fail=0; unchecked=0; count=0
while IFS= read -r cmdfile; do
  count=$((count+1))
  base="${cmdfile%.cmd}"
  cmd=$(cat "$cmdfile")
  (cd "$root" && eval "${cmd//exact-interp /$bin }") > "$work/raw.out" 2> "$work/raw.err"; code=$?
  # $(...) drops trailing newlines: .out always ends in one newline; .err is empty or ends in one.
  out=$(normalise < "$work/raw.out"); err=$(normalise < "$work/raw.err")
  printf '%s\n' "$out" > "$work/new.out"
  if [ -n "$err" ]; then printf '%s\n' "$err" > "$work/new.err"; else : > "$work/new.err"; fi
  echo "$code" > "$work/new.code"
  if ! selected "$cmdfile"; then unchecked=$((unchecked+1)); continue; fi
  want_code=0; [ -f "$base.code" ] && want_code=$(cat "$base.code")

  if [ "$update" = 1 ]; then
    reasons=()
    if [ -f "$base.out" ]; then   # an existing golden (a new one has nothing to protect)
      if [ "$code" != "$want_code" ] && [[ "$allow" != *,exit-code,* ]]; then
        reasons+=("exit code $want_code → $code (allow with UPDATE_GOLDEN_ALLOW=exit-code)")
      fi
      if [[ "$allow" != *,blocks,* ]]; then
        for kind in out err; do
          if [ "$(block_lines "$base.$kind")" != "$(block_lines "$work/new.$kind")" ] && [ -f "$base.$kind" ]; then
            reasons+=("a block-count line of .$kind changes (allow with UPDATE_GOLDEN_ALLOW=blocks):")
            reasons+=("$(diff <(block_lines "$base.$kind") <(block_lines "$work/new.$kind") | grep '^[<>]')")
          fi
        done
      fi
    fi
    if [ ${#reasons[@]} -gt 0 ]; then
      fail=$((fail+1))
      echo "REFUSED: $cmdfile not rewritten:"; printf '%s\n' "${reasons[@]}" | sed 's/^/  /'
      continue
    fi
    replace "$base.out" "$work/new.out"
    replace "$base.err" "$work/new.err"
    if [ "$code" != 0 ] || [ -f "$base.code" ]; then replace "$base.code" "$work/new.code"; fi
    pass=$((pass+1)); continue
  fi

  problems=()
  [ -f "$base.out" ] || problems+=("missing $base.out")
  [ -f "$base.err" ] || problems+=("missing $base.err (every golden records its standard error; UPDATE_GOLDEN=1 writes it)")
  [ "$code" = "$want_code" ] || problems+=("exit $code, expected $want_code")
  if [ ${#problems[@]} = 0 ]; then
    cmp -s "$work/new.out" "$base.out" || problems+=("standard output differs")
    cmp -s "$work/new.err" "$base.err" || problems+=("standard error differs")
  fi
  if [ ${#problems[@]} = 0 ]; then
    pass=$((pass+1))
  else
    fail=$((fail+1))
    echo "FAIL: $cmdfile: $(IFS=';'; echo "${problems[*]}")"
    for kind in out err; do
      [ -f "$base.$kind" ] && ! cmp -s "$work/new.$kind" "$base.$kind" &&
        diff -u --label "$base.$kind (expected)" --label "actual" "$base.$kind" "$work/new.$kind" | head -30
    done
  fi
done < <(find "$dir" -name '*.cmd' | sort)
if [ "$count" = 0 ]; then echo "golden $dir: no .cmd files: nothing checked"; exit 1; fi
if [ ${#filters[@]} -gt 0 ] && [ $((pass+fail)) = 0 ]; then echo "golden $dir: no golden matches ${filters[*]}"; exit 1; fi
echo "golden $dir: $pass passed, $fail failed$([ "$unchecked" -gt 0 ] && echo ", $unchecked not selected by the filter (run, not compared)")"
[ "$fail" = 0 ]
