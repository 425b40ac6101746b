exact-interp verify out/reviews.model.json Datasets/sentiment/reviews.json
