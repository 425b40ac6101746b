exact-interp loss Datasets/models/figure5-handmade.model.json Datasets/figure5.json --at-most 2ulp:float128 2>&1
