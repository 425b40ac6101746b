exact-interp lemma 4.1 --dataset Datasets/lemmas/clustering.json --sequence 3 --direction 1,0
