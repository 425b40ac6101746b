mkdir -p out && exact-interp construct Datasets/figure5.json -o out/figure5-compact.model.json --layout compact --quiet
