exact-interp construct Datasets/figure5.json -o $SCRATCH/f5-softmax.json --attention softmax --layout narrow
