exact-interp verify Datasets Datasets/figure5.json 2>&1
