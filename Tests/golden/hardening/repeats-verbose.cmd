exact-interp validate Tests/golden/hardening/inputs/repeats.json --verbose 2>&1
