exact-interp validate Datasets/invalid/exponent-out-of-range.json 2>&1
