exact-interp validate Datasets/invalid/no-pairs.json 2>&1
