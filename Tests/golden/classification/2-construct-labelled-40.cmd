mkdir -p out && exact-interp construct Datasets/classification/labelled-40.json -o out/labelled-40.model.json --layout compact --quiet
