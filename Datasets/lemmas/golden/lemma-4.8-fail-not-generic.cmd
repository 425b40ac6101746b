exact-interp lemma 4.8 --dataset Datasets/lemmas/square.json --token 0 --target 9,9 --direction 1,0
