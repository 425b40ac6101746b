exact-interp export Datasets/models/near-tie.model.json -o Datasets/models/near-tie.model.json
