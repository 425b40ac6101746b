exact-interp compare Tests/golden/draw/figure5.model.json Datasets/figure5.json --tolerance inf 2>&1
