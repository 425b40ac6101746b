exact-interp verify Datasets/figure5.json Tests/golden/draw/figure5.model.json 2>&1
