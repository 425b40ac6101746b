exact-interp lemma 4.6 --dataset Datasets/figure5.json --token 9
