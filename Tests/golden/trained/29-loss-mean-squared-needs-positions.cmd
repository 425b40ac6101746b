exact-interp loss $SCRATCH/trained/sa-ff.json $SCRATCH/trained/arrays.json --kind mean-squared 2>&1
