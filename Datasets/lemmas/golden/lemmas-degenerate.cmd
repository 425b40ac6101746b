exact-interp lemmas Datasets/lemmas/degenerate.json
