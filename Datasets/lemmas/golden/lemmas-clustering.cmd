exact-interp lemmas Datasets/lemmas/clustering.json
