exact-interp validate Datasets/invalid/unknown-key.json 2>&1
