#!/usr/bin/env bash
# `make fuzz`: libFuzzer (swiftc -sanitize=fuzzer, with AddressSanitizer) on the dataset reader,
# the model reader and the rational parser, each for FUZZ_SECONDS seconds (default 60), seeded
# from Datasets/, the golden test inputs, Tests/rational-grammar.json and fuzz/regressions/.
# The libraries are built with coverage instrumentation in .build/fuzz (not the normal build).
# A crash leaves its input in .build/fuzz/crashes/ and fails the target: copy it to
# fuzz/regressions/<target>/ (the unit tests replay that directory) and fix the bug.
set -euo pipefail
secs="${FUZZ_SECONDS:-60}"
B=.build/fuzz
flags=(-Xswiftc -sanitize=fuzzer -Xswiftc -sanitize=address
       -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp)
swift build --build-path "$B" --target TransformerModel "${flags[@]}"
mkdir -p "$B/bin" "$B/crashes"
link() {  # name driver modules...
  local name="$1" driver="$2"; shift 2
  local objs=()
  for m in "$@"; do objs+=("$B"/debug/"$m".build/*.o); done
  swiftc -sanitize=fuzzer,address -parse-as-library -I "$B/debug/Modules" -I Sources/CGMP \
    "$driver" "${objs[@]}" -lgmp -o "$B/bin/fuzz-$name" 2>&1 | grep -v "Cannot export local symbol" || true
}
link rational fuzz/FuzzRationalParser.swift ExactArithmetic
link dataset fuzz/FuzzDatasetReader.swift ExactArithmetic TransformerModel
link model fuzz/FuzzModelReader.swift ExactArithmetic TransformerModel

# Seeds: a fresh corpus per run (libFuzzer adds what it finds there).
rm -rf "$B/corpus"; mkdir -p "$B/corpus/rational" "$B/corpus/dataset" "$B/corpus/model"
python3 - "$B/corpus/rational" <<'PY'
import json, sys
for i, (text, _) in enumerate(json.load(open("Tests/rational-grammar.json"))["cases"]):
    open("%s/grammar-%03d" % (sys.argv[1], i), "w").write(text)
PY
find Datasets Tests/golden -name '*.json' ! -name '*.model.json' ! -name 'rational-grammar.json' -size -64k \
  -exec cp --backup=numbered -t "$B/corpus/dataset" {} +
find Datasets Tests/golden -name '*.model.json' -size -32k -exec cp --backup=numbered -t "$B/corpus/model" {} +
for t in rational dataset model; do
  if [ -d "fuzz/regressions/$t" ]; then
    find "fuzz/regressions/$t" -type f ! -name 'README*' -exec cp --backup=numbered -t "$B/corpus/$t" {} +
  fi
done

status=0
for t in rational dataset model; do
  echo "fuzz-$t: $secs s, seeds: $(ls "$B/corpus/$t" | wc -l)"
  if ! "$B/bin/fuzz-$t" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=4096 -timeout=30 \
       -artifact_prefix="$B/crashes/$t-" -print_final_stats=1 "$B/corpus/$t" > "$B/fuzz-$t.log" 2>&1; then
    echo "fuzz-$t: FAILED (see $B/fuzz-$t.log and $B/crashes/)"; status=1
  fi
  grep -E "^Done|stat::number_of_executed_units|cov:" "$B/fuzz-$t.log" | tail -2
done
exit $status
