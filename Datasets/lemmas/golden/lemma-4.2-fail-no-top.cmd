exact-interp lemma 4.2 --dataset Datasets/lemmas/square.json --sequence 1
