exact-interp verify out/bsd-next-word.model.json Datasets/causal/bsd-next-word.json
