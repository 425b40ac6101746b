exact-interp draw Tests/golden/hardening/inputs/digest-md5.model.json Datasets/figure5.json -o /dev/null 2>&1
