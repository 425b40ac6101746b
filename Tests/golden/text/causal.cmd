exact-interp from-text Datasets/text/sample.txt -o $SCRATCH/sample-causal.json --dimension 2 --task causal --embedding Datasets/text/sample-embedding.csv 2>&1 && cat $SCRATCH/sample-causal.json
