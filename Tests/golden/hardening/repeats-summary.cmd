exact-interp validate Tests/golden/hardening/inputs/repeats.json 2>&1
