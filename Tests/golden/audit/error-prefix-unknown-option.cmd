exact-interp validate --frobnicate Datasets/figure5.json 2>&1
