exact-interp eval Datasets/invalid/model-wrong-shape.model.json Datasets/models/tiny-hat.json 2>&1
