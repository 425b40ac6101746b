exact-interp import Tests/golden/trained/sa-ff.safetensors -o $SCRATCH/trained/never.json 2>&1
