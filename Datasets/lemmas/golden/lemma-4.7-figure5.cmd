exact-interp lemma 4.7 --dataset Datasets/figure5.json --sequence 1 --beta 1/2
