exact-interp construct --causal Datasets/causal/bsd-next-word.json -o $SCRATCH/bsd-next-word.model.json --quiet
