mkdir -p out && exact-interp construct Datasets/classification/handmade-40.json -o out/handmade-40.model.json --layout compact --quiet
