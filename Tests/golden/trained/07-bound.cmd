exact-interp bound $SCRATCH/trained/sa-ff.json
