exact-interp lemmas Datasets/figure5.json --json
