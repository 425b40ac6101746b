exact-interp draw Tests/golden/draw/figure5.model.json Datasets/figure5.json -o $SCRATCH/x.svg --x 1 --y 1
