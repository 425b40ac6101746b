mkdir -p out && exact-interp from-text Datasets/text/sample.txt -o out/sample-causal.json --dimension 2 --task causal --embedding Datasets/text/sample-embedding.csv 2>&1 && cat out/sample-causal.json
