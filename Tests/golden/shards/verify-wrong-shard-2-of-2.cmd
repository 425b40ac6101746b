exact-interp verify Datasets/models/figure5-wrong.model.json Datasets/figure5.json --shard 2/2
