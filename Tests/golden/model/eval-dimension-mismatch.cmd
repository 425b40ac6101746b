exact-interp eval Datasets/models/near-tie.model.json Datasets/figure5.json 2>&1
