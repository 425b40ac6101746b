exact-interp import Tests/golden/trained/torch-legacy.pt -o $SCRATCH/trained/never.json 2>&1
