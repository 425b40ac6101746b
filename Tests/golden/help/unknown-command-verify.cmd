exact-interp verfy Tests/golden/draw/figure5.model.json Datasets/figure5.json 2>&1
