exact-interp loss Datasets/models/figure5-softmax-narrow.model.json Datasets/figure5.json --tau 1/2
