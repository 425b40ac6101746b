exact-interp compare Datasets/models/near-tie.model.json Datasets/models/near-tie.json
