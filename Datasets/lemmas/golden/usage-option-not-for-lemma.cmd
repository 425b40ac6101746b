exact-interp lemma 4.5 --dataset Datasets/figure5.json --gamma 1/2
