mkdir -p out/trained && exact-interp dataset-from-arrays Tests/golden/trained/arrays.safetensors --inputs X --targets Ycausal --causal -o out/trained/arrays-causal.json
