exact-interp loss $SCRATCH/trained/sa-ff.json $SCRATCH/trained/arrays.json --kind hausdorff --at-most 10
