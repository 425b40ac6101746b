exact-interp validate Datasets/invalid/empty-sequence.json 2>&1
