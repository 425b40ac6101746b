exact-interp import Tests/golden/trained/bad-unknown.safetensors --architecture sa-ff --temperature 1 -o $SCRATCH/trained/never.json 2>&1
