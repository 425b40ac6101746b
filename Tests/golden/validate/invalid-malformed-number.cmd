exact-interp validate Datasets/invalid/malformed-number.json 2>&1
