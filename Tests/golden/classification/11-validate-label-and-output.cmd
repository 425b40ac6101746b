exact-interp validate Datasets/invalid/label-and-output.json 2>&1
