exact-interp lemma 4.7 --dataset Datasets/lemmas/shared.json --sequence 1 --token 2
