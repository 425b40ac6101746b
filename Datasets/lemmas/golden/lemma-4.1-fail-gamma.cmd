exact-interp lemma 4.1 --dataset Datasets/figure5.json --gamma 3/2
