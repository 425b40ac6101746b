exact-interp validate Datasets/invalid/not-an-object.json 2>&1
