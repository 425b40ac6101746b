EXACT_INTERP_MAX_INPUT_BYTES=1K exact-interp verify Tests/golden/draw/figure5.model.json Datasets/figure5.json 2>&1
