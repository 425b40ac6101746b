exact-interp import Tests/golden/trained/sa-ff.safetensors --map Tests/golden/trained/flax.map.json --temperature 1 -o $SCRATCH/trained/never.json 2>&1
