exact-interp lemmas Datasets/lemmas/line.json
