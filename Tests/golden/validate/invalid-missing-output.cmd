exact-interp validate Datasets/invalid/missing-output.json 2>&1
