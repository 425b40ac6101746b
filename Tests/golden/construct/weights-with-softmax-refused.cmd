exact-interp construct Datasets/figure5.json -o $SCRATCH/never.model.json --attention softmax --weights float64 2>&1
