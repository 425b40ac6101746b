COLUMNS=100 exact-interp compare $SCRATCH/bsd-next-word.model.json Datasets/causal/bsd-next-word.json
