exact-interp lemma 4.4 --dataset Datasets/figure5.json --sequence 2 --prepare
