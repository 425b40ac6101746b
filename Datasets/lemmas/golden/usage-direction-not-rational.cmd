exact-interp lemma 4.1 --dataset Datasets/figure5.json --direction 1,x
