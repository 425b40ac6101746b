mkdir -p out/trained && exact-interp dataset-from-arrays Tests/golden/trained/arrays.safetensors --inputs X --targets Y -o out/trained/arrays.json && exact-interp validate out/trained/arrays.json
