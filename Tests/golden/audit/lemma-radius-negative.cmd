exact-interp lemma 4.3 --dataset Datasets/figure5.json --project --radius -1 2>&1
