exact-interp verify --float-filter Datasets/models/figure5-handmade.model.json Datasets/figure5.json
