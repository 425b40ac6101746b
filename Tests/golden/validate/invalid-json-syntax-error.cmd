exact-interp validate Datasets/invalid/json-syntax-error.json 2>&1
