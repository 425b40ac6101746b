exact-interp from-text Datasets/text/sample.txt -o $SCRATCH/sample-ctx.json --dimension 2 --context 1 --embedding Datasets/text/sample-embedding.csv 2>&1 && cat $SCRATCH/sample-ctx.json
