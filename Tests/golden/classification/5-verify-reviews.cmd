exact-interp verify $SCRATCH/reviews.model.json Datasets/sentiment/reviews.json
