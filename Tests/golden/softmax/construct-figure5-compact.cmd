exact-interp construct Datasets/figure5.json -o $SCRATCH/f5-softmax-compact.json --attention softmax --layout compact --quiet
