exact-interp tikhonov $SCRATCH/trained/sa-ff.json $SCRATCH/trained/sa-ff.json $SCRATCH/trained/arrays.json --epsilon 1/1000
