mkdir -p out && exact-interp from-text Datasets/text/reviews.tsv -o out/reviews.json --dimension 2 --task classification 2>&1 && cat out/reviews.json
