exact-interp report Tests/golden/hardening/inputs/softmax-no-temperature.model.json Datasets/figure5.json -o /dev/null 2>&1
