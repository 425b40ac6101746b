mkdir -p $SCRATCH && exact-interp eval Tests/golden/draw/figure5.model.json Datasets/figure5.json --outputs $SCRATCH/figure5.outputs.json && cat $SCRATCH/figure5.outputs.json
