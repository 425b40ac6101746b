exact-interp construct Datasets/figure5.json -o $SCRATCH/figure5.model.json --layout narrow --quiet
