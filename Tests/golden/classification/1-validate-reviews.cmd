exact-interp validate Datasets/sentiment/reviews.json 2>&1
