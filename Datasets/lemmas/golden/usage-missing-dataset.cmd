exact-interp lemmas Datasets/lemmas/no-such-file.json
