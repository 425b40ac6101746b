mkdir -p out && exact-interp eval Tests/golden/draw/figure5.model.json Datasets/figure5.json --outputs out/figure5.outputs.json && cat out/figure5.outputs.json
