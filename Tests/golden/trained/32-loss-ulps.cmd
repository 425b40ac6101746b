exact-interp loss $SCRATCH/trained/sa-ff.json $SCRATCH/trained/arrays.json --at-most 2ulps:float32
