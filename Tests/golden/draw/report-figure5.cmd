exact-interp report Tests/golden/draw/figure5.model.json Datasets/figure5.json -o /tmp/exact-interp-golden-figure5.md
