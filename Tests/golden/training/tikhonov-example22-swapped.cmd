exact-interp tikhonov Datasets/training/example22-generator.model.json Datasets/training/example22-trained.model.json Datasets/training/example22.json --epsilon 1/1000 --kind mean-squared
