#!/usr/bin/env bash
# Runs CLI golden tests: every DIR/**/NAME.cmd holds one command line (with `exact-interp` as the
# program); its standard output and exit code must equal NAME.out and NAME.code (code 0 if absent).
# Set UPDATE_GOLDEN=1 to rewrite the expected files. Prints "N passed, M failed".
set -u
bin="$1"; dir="$2"
if [ ! -d "$dir" ]; then echo "golden $dir: no such directory, nothing to check"; exit 0; fi
pass=0; fail=0
root=$(pwd)
while IFS= read -r cmdfile; do
  base="${cmdfile%.cmd}"
  cmd=$(cat "$cmdfile")
  actual=$(cd "$root" && eval "${cmd//exact-interp /$bin }" 2>/dev/null); code=$?
  want_code=0; [ -f "$base.code" ] && want_code=$(cat "$base.code")
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
    printf '%s\n' "$actual" > "$base.out"; echo "$code" > "$base.code"; pass=$((pass+1)); continue
  fi
  if [ "$actual" == "$(cat "$base.out" 2>/dev/null)" ] && [ "$code" = "$want_code" ]; then
    pass=$((pass+1))
  else
    fail=$((fail+1))
    echo "FAIL: $cmdfile (exit $code, expected $want_code)"
    diff <(printf '%s\n' "$actual") "$base.out" | head -20
  fi
done < <(find "$dir" -name '*.cmd' | sort)
echo "golden $dir: $pass passed, $fail failed"
[ "$fail" = 0 ]
