exact-interp eval Datasets/models/tiny-hat.model.json Datasets/models/tiny-hat.json
