exact-interp compare Datasets/models/figure5-wrong.model.json Datasets/figure5.json
