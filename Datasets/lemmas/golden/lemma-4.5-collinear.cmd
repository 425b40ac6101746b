exact-interp lemma 4.5 --dataset Datasets/lemmas/degenerate.json --sequence 3 --token 1
