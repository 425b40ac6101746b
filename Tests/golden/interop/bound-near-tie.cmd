exact-interp bound Datasets/models/near-tie.model.json
