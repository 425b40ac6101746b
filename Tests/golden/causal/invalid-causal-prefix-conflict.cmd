exact-interp validate Datasets/invalid/causal-prefix-conflict.json 2>&1
