exact-interp from-text Datasets/text/sample.txt -o $SCRATCH/x.json --dimension 1 --range 1 2>&1
