exact-interp lemma 4.8 --dataset Datasets/lemmas/close-points.json --token 0 --target 0,0 --width-factor 1/2
