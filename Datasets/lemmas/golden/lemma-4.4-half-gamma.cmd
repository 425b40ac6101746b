exact-interp lemma 4.4 --dataset Datasets/lemmas/clustering.json --sequence 1 --leaders 1,2,4 --gamma 1/2 --steps 3
