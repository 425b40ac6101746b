exact-interp lemma 4.5 --dataset Datasets/lemmas/square.json --token 4
