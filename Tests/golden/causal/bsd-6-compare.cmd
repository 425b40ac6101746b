COLUMNS=100 exact-interp compare out/bsd-next-word.model.json Datasets/causal/bsd-next-word.json
