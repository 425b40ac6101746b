exact-interp verify Tests/golden/draw/figure5.model.json Datasets/figure5.json 2>&1 >/dev/full
