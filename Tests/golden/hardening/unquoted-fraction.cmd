exact-interp validate Tests/golden/hardening/inputs/unquoted-fraction.json 2>&1
