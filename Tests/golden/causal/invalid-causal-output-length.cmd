exact-interp validate Datasets/invalid/causal-output-length.json 2>&1
