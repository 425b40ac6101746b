exact-interp construct Datasets/causal/bsd-next-word.json -o $SCRATCH/never-written.json 2>&1
