exact-interp import Tests/golden/trained/sa-ff.safetensors -o out/trained/never.json 2>&1
