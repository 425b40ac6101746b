exact-interp lemma 4.1 --dataset Datasets/figure5.json --steps 1000000000 2>&1
