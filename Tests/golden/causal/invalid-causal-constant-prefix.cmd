exact-interp validate Datasets/invalid/causal-constant-prefix.json 2>&1
