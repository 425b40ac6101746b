mkdir -p out/trained && exact-interp import Tests/golden/trained/sa-ff.safetensors --architecture sa-ff --temperature 1/10 -o out/trained/sa-ff.json && grep -c '"padding"' out/trained/sa-ff.json
