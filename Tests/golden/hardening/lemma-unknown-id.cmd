exact-interp lemma 4.9 --dataset Datasets/figure5.json 2>&1
