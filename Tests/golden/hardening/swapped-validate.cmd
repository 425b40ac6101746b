exact-interp validate Tests/golden/draw/figure5.model.json 2>&1
