exact-interp lemmas Datasets/lemmas/square.json
