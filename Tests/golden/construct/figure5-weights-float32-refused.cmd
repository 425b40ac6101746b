exact-interp construct Datasets/figure5.json -o out/never.model.json --weights float32 2>&1
