exact-interp lemma 4.2 --dataset Datasets/lemmas/clustering.json --sequence 0 --steps 4
