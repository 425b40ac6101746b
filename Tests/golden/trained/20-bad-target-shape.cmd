exact-interp dataset-from-arrays Tests/golden/trained/arrays.safetensors --inputs X --targets Yseq --causal -o $SCRATCH/trained/never.json 2>&1
