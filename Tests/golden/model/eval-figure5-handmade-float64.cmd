exact-interp eval --arithmetic float64 Datasets/models/figure5-handmade.model.json Datasets/figure5.json
