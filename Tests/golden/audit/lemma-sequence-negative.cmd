exact-interp lemma 4.1 --dataset Datasets/figure5.json --sequence -1 2>&1
