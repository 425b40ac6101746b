exact-interp dataset-from-arrays Tests/golden/trained/arrays.safetensors --inputs X --targets Yseq --causal -o out/trained/never.json 2>&1
