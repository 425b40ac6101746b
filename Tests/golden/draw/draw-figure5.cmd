exact-interp draw Tests/golden/draw/figure5.model.json Datasets/figure5.json -o $SCRATCH/figure5.svg
