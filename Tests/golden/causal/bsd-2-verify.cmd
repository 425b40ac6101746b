exact-interp verify $SCRATCH/bsd-next-word.model.json Datasets/causal/bsd-next-word.json
