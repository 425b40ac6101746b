exact-interp construct Datasets/figure5.json -o /proc/version --quiet 2>&1
