exact-interp bound Datasets/models/figure5-softmax-narrow.model.json --balanced
