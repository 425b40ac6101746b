exact-interp loss Datasets/models/figure5-handmade.model.json Datasets/figure5.json --max-bits 2 2>&1
