exact-interp report Tests/golden/draw/figure5-last-block-removed.model.json Datasets/figure5.json -o $SCRATCH/tampered.md
