exact-interp lemma 4.3 --dataset Datasets/figure5.json --radius 2
