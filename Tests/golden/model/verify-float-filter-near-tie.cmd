exact-interp verify --float-filter Datasets/models/near-tie.model.json Datasets/models/near-tie.json
