exact-interp construct Datasets/sentiment/reviews.json -o $SCRATCH/reviews.model.json --layout compact --quiet
