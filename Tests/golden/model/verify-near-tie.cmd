exact-interp verify Datasets/models/near-tie.model.json Datasets/models/near-tie.json
