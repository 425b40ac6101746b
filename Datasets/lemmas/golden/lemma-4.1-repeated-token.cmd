exact-interp lemma 4.1 --dataset Datasets/lemmas/degenerate.json --sequence 2
