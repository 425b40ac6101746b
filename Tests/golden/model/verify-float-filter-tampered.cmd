exact-interp verify --float-filter Datasets/models/figure5-wrong.model.json Datasets/figure5.json
