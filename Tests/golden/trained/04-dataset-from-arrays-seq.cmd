mkdir -p out/trained && exact-interp dataset-from-arrays Tests/golden/trained/arrays.safetensors --inputs X --targets Yseq --name seq -o out/trained/arrays-seq.json
