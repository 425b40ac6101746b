exact-interp import Tests/golden/trained/bad-d.safetensors --architecture sa-ff --temperature 1 -o $SCRATCH/trained/never.json 2>&1
