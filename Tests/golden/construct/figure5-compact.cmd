exact-interp construct Datasets/figure5.json -o $SCRATCH/figure5-compact.model.json --layout compact --quiet
