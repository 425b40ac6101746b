exact-interp validate Datasets/no-such.json 2>&1
