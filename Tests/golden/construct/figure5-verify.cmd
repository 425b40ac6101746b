exact-interp verify out/figure5.model.json Datasets/figure5.json
