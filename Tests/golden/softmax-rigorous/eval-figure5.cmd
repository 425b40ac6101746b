exact-interp eval Datasets/models/figure5-softmax-narrow.model.json Datasets/figure5.json --arithmetic rigorous
