exact-interp validate Datasets/invalid/zero-denominator.json 2>&1
