exact-interp validate Datasets/invalid/bad-dimension.json 2>&1
