exact-interp verify Datasets/models/figure5-handmade.model.json Datasets/sentiment/reviews.json 2>&1
