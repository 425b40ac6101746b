#!/usr/bin/env bash
# Sharded verification must agree with a plain `verify`: for every model below and K ∈ {1, 2, 3, 5},
# `verify --shard k/K --shard-report` for k = 1..K, then `merge-shards`, must give the plain
# verify's exit code and the same failing pairs; a missing shard and a repeated one must be
# rejected (exit 2) with the pairs named. Prints "N passed, M failed".
set -u
bin="$1"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
check() { if [ "$1" = "$2" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $3: got '$1', expected '$2'"; fi; }
failing() { grep -o '^pair [0-9]*' | sort -u | tr '\n' ' '; }
for case in "Datasets/models/figure5-handmade.model.json Datasets/figure5.json" \
            "Datasets/models/figure5-wrong.model.json Datasets/figure5.json" \
            "Datasets/models/figure5-softmax-narrow.model.json Datasets/figure5.json" \
            "Datasets/models/tiny-hat.model.json Datasets/models/tiny-hat.json"; do
  set -- $case; model=$1; data=$2
  plain=$("$bin" verify "$model" "$data" 2>/dev/null); plain_code=$?
  for K in 1 2 3 5; do
    rm -f "$tmp"/*.json; reports=()
    for k in $(seq 1 $K); do
      "$bin" verify "$model" "$data" --shard "$k/$K" --shard-report "$tmp/s$k.json" >/dev/null 2>&1
      reports+=("$tmp/s$k.json")
    done
    merged=$("$bin" merge-shards "${reports[@]}" 2>/dev/null); code=$?
    check "$code" "$plain_code" "$model K=$K exit code"
    check "$(printf '%s\n' "$merged" | failing)" "$(printf '%s\n' "$plain" | failing)" "$model K=$K failing pairs"
    if [ "$K" -ge 2 ]; then
      err=$("$bin" merge-shards "${reports[@]:1}" 2>&1 >/dev/null); code=$?
      check "$code" 2 "$model K=$K missing shard 1 exit code"
      case "$err" in *"not covered"*"missing shard 1/$K"*) pass=$((pass+1));; *) fail=$((fail+1)); echo "FAIL: missing shard message: $err";; esac
      err=$("$bin" merge-shards "${reports[@]}" "${reports[0]}" 2>&1 >/dev/null); code=$?
      check "$code" 2 "$model K=$K duplicate shard exit code"
      case "$err" in *"covered twice: pair 0 "*) pass=$((pass+1));; *) fail=$((fail+1)); echo "FAIL: duplicate message: $err";; esac
    fi
  done
done
# Reports of two different models do not merge.
"$bin" verify Datasets/models/figure5-handmade.model.json Datasets/figure5.json --shard 1/2 --shard-report "$tmp/a.json" >/dev/null 2>&1
"$bin" verify Datasets/models/figure5-wrong.model.json Datasets/figure5.json --shard 2/2 --shard-report "$tmp/b.json" >/dev/null 2>&1
err=$("$bin" merge-shards "$tmp/a.json" "$tmp/b.json" 2>&1 >/dev/null); code=$?
check "$code" 2 "different models exit code"
case "$err" in *"not the same model"*) pass=$((pass+1));; *) fail=$((fail+1)); echo "FAIL: different models message: $err";; esac
# A tampered report (a pair moved to the wrong shard) is malformed.
sed 's/"index": 0,/"index": 1,/' "$tmp/a.json" > "$tmp/c.json"
"$bin" merge-shards "$tmp/c.json" "$tmp/b.json" >/dev/null 2>&1; check "$?" 2 "tampered report exit code"
echo "shards: $pass passed, $fail failed"
[ "$fail" = 0 ]
