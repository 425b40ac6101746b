exact-interp verify Datasets/models/figure5-handmade.model.json Datasets/models/tiny-hat.json 2>&1
