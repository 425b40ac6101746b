exact-interp eval Datasets/invalid/model-unknown-version.model.json Datasets/models/tiny-hat.json 2>&1
