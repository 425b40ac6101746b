exact-interp lemma 4.6 --dataset Datasets/lemmas/shared.json --sequence 1 --token 1
