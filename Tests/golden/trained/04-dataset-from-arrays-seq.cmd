mkdir -p $SCRATCH/trained && exact-interp dataset-from-arrays Tests/golden/trained/arrays.safetensors --inputs X --targets Yseq --name seq -o $SCRATCH/trained/arrays-seq.json
