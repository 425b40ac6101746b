exact-interp verify Datasets/models/figure5-handmade.model.json Datasets/figure5.json
