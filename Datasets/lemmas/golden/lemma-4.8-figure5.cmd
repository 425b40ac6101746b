exact-interp lemma 4.8 --dataset Datasets/figure5.json --sequence 1 --token 2 --target 7,-1/3
