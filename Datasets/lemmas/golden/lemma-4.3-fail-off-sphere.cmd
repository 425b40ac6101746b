exact-interp lemma 4.3 --dataset Datasets/lemmas/square.json --sequence 0
