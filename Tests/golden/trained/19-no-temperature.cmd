exact-interp import Tests/golden/trained/sa-ff.safetensors --architecture sa-ff -o out/trained/never.json 2>&1
