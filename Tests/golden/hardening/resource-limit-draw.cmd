exact-interp draw Tests/golden/hardening/inputs/eta-1e100000.model.json Datasets/figure5.json -o /dev/null 2>&1
