exact-interp validate Datasets/figure5.json 2>&1 >&-
