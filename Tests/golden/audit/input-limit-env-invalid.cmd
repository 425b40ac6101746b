EXACT_INTERP_MAX_INPUT_BYTES=lots exact-interp validate Datasets/figure5.json 2>&1
