exact-interp verify $SCRATCH/figure5.model.json Datasets/figure5.json
