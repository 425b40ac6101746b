exact-interp from-text Datasets/text/reviews.tsv -o $SCRATCH/reviews.json --dimension 2 --task classification 2>&1 && cat $SCRATCH/reviews.json
