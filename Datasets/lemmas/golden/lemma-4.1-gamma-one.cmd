exact-interp lemma 4.1 --dataset Datasets/figure5.json --sequence 2 --gamma 1 --steps 2
