exact-interp loss $SCRATCH/trained/sa-ff.json $SCRATCH/trained/arrays.json --precision 8 2>&1
