exact-interp validate Datasets/invalid/null-coordinate.json 2>&1
