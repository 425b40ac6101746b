exact-interp eval out/bsd-next-word.model.json Datasets/causal/bsd-next-word.json --arithmetic float64
