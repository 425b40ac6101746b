exact-interp verify --float-filter $SCRATCH/bsd-next-word.model.json Datasets/causal/bsd-next-word.json
