exact-interp validate Tests/golden/hardening/inputs/huge-dimension.json 2>&1
