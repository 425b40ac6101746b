exact-interp lemma 4.3 --dataset Datasets/figure5.json --sequence 2 --project --radius 5/2
