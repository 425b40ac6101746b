exact-interp lemma 4.5 --dataset Datasets/lemmas/square.json --sequence 2 --token 1
