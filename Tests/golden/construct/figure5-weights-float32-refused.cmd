exact-interp construct Datasets/figure5.json -o $SCRATCH/never.model.json --weights float32 2>&1
