exact-interp construct --causal Datasets/figure5.json -o out/never-written.json 2>&1
