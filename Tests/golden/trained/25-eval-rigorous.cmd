exact-interp eval $SCRATCH/trained/sa-ff.json $SCRATCH/trained/arrays.json --arithmetic rigorous
