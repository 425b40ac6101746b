exact-interp lemma 4.8 --dataset Datasets/figure5.json --sequence 0 --sequence 2 --token 1 --token 3 --target 0,0 --target 1/2,1/2
