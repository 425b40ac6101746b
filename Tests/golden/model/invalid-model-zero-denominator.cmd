exact-interp eval Datasets/invalid/model-zero-denominator.model.json Datasets/models/tiny-hat.json 2>&1
