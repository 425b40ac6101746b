exact-interp import Tests/golden/trained/sa-ff.safetensors --architecture sa-ff -o $SCRATCH/trained/never.json 2>&1
