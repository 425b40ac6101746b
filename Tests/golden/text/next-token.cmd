exact-interp from-text Datasets/text/sample.txt -o $SCRATCH/sample-next.json --dimension 2 2>&1 && cat $SCRATCH/sample-next.json && exact-interp validate $SCRATCH/sample-next.json
