exact-interp report $SCRATCH/reviews.model.json Datasets/sentiment/reviews.json -o $SCRATCH/reviews.report.md && grep -A8 "## Labels" $SCRATCH/reviews.report.md
