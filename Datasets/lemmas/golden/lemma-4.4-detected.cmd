exact-interp lemma 4.4 --dataset Datasets/lemmas/clustering.json --sequence 1
