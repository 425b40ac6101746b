exact-interp draw Tests/golden/draw/figure5.model.json Datasets/figure5.json -o /dev/null --x -1 2>&1
