mkdir -p out && exact-interp from-text Datasets/text/sample.txt -o out/sample-next.json --dimension 2 2>&1 && cat out/sample-next.json && exact-interp validate out/sample-next.json
