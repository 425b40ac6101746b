exact-interp lemmas Tests/golden/audit/inputs/repeated-pairs.json --quiet 2>&1
