exact-interp eval Tests/golden/draw/figure5.model.json Datasets/figure5.json --arithmetic float64 --tolerance nan 2>&1
