exact-interp eval Datasets/models/figure5-wrong.model.json Datasets/figure5.json
