exact-interp verify --float-filter Datasets/models/figure5-softmax-narrow.model.json Datasets/figure5.json
