exact-interp lemma 4.6 --dataset Datasets/figure5.json --sequence 2
