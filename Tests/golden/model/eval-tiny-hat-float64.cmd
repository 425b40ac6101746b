exact-interp eval --arithmetic float64 Datasets/models/tiny-hat.model.json Datasets/models/tiny-hat.json
