exact-interp lemmas Tests/golden/audit/inputs/repeated-pairs.json --quiet --verbose 2>&1 >/dev/null
