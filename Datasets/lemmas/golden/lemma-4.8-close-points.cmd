exact-interp lemma 4.8 --dataset Datasets/lemmas/close-points.json --token 1 --target 5,-5
