exact-interp lemma 4.8 --dataset Datasets/figure5.json --token 0 --token 1 --target 1,1
