exact-interp construct --causal Datasets/figure5.json -o $SCRATCH/never-written.json 2>&1
