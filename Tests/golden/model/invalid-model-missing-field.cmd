exact-interp eval Datasets/invalid/model-missing-field.model.json Datasets/models/tiny-hat.json 2>&1
