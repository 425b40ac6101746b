exact-interp lemma 4.1 --dataset Datasets/figure5.json --sequence 99 2>&1
