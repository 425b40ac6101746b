exact-interp eval Datasets/invalid/model-unknown-key.model.json Datasets/models/tiny-hat.json 2>&1
