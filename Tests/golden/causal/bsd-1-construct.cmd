mkdir -p out && exact-interp construct --causal Datasets/causal/bsd-next-word.json -o out/bsd-next-word.model.json --quiet
