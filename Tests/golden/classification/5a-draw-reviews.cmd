mkdir -p out && exact-interp draw out/reviews.model.json Datasets/sentiment/reviews.json -o out/reviews.svg && grep -o "labels: positive[^<]*" out/reviews.svg
