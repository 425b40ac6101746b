exact-interp validate Datasets/no-such-file.json 2>&1
