exact-interp validate Tests/golden/hardening/inputs/invalid-utf8.json 2>&1
