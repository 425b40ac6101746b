exact-interp eval --temperature 0 Datasets/models/tiny-hat.model.json Datasets/models/tiny-hat.json 2>&1
