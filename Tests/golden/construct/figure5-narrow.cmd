mkdir -p out && exact-interp construct Datasets/figure5.json -o out/figure5.model.json --layout narrow --quiet
