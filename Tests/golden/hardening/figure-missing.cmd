exact-interp report Tests/golden/draw/figure5.model.json Datasets/figure5.json -o /dev/null --figure no-such.svg 2>&1
