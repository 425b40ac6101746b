EXACT_INTERP_MAX_INPUT_BYTES=100 exact-interp validate Datasets/figure5.json 2>&1
