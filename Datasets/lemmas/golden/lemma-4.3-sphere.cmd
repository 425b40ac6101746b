exact-interp lemma 4.3 --dataset Datasets/lemmas/clustering.json --sequence 2 --gamma 1/3
