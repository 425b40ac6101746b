exact-interp validate Datasets/invalid/wrong-dimension.json 2>&1
