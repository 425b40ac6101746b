exact-interp lemmas Datasets/lemmas/shared.json
