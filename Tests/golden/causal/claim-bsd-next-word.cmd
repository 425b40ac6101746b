exact-interp causal-claim Datasets/causal/bsd-next-word.json
