exact-interp verify Tests/golden/hardening/inputs/eta-1e100000.model.json Datasets/figure5.json --max-bits 2000000 2>&1
