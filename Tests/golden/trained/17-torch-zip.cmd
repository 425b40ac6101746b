exact-interp import Tests/golden/trained/torch-zip.pt --architecture sa-ff --temperature 1 -o $SCRATCH/trained/never.json 2>&1
