exact-interp draw $SCRATCH/reviews.model.json Datasets/sentiment/reviews.json -o $SCRATCH/reviews.svg && grep -o "labels: positive[^<]*" $SCRATCH/reviews.svg
