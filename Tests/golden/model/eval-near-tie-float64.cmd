exact-interp eval --arithmetic float64 Datasets/models/near-tie.model.json Datasets/models/near-tie.json
