exact-interp eval Tests/golden/hardening/inputs/digest-zz.model.json Datasets/figure5.json 2>&1
