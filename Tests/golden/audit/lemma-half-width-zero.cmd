exact-interp lemma 4.8 --dataset Datasets/figure5.json --half-width 0 2>&1
