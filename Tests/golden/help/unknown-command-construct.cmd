exact-interp constuct Datasets/figure5.json -o out/never-written.json 2>&1
