exact-interp eval Tests/golden/hardening/inputs/eta-1e100000.model.json Datasets/figure5.json 2>&1
