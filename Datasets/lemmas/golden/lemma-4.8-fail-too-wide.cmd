exact-interp lemma 4.8 --dataset Datasets/lemmas/square.json --token 4 --target 9,9 --direction 1,3 --half-width 3
