mkdir -p out && exact-interp construct Datasets/sentiment/reviews.json -o out/reviews.model.json --layout compact --quiet
