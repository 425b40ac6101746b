exact-interp from-text Datasets/text/sample.txt -o $SCRATCH/x.json --dimension 2 --embedding Datasets/text/reviews.tsv 2>&1
