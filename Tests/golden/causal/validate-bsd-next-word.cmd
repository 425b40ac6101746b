exact-interp validate Datasets/causal/bsd-next-word.json 2>&1
