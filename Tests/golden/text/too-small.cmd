mkdir -p out && exact-interp from-text Datasets/text/sample.txt -o out/x.json --dimension 1 --range 1 2>&1
