exact-interp construct Datasets/figure5.json -o /dev/null --tau-start 1 2>&1
