exact-interp construct Datasets/causal/bsd-next-word.json -o out/never-written.json 2>&1
