exact-interp lemma 4.2 --dataset Datasets/figure5.json --prepare --token 1 --gamma 1
