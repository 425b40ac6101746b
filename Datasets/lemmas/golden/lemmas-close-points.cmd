exact-interp lemmas Datasets/lemmas/close-points.json
