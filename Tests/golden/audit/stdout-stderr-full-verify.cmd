exact-interp verify Tests/golden/draw/figure5.model.json Datasets/figure5.json >/dev/full 2>/dev/full
