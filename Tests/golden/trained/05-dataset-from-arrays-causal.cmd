mkdir -p $SCRATCH/trained && exact-interp dataset-from-arrays Tests/golden/trained/arrays.safetensors --inputs X --targets Ycausal --causal -o $SCRATCH/trained/arrays-causal.json
