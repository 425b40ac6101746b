sed 's/"padding": \["feedforward"\]/"padding": ["attention"]/' $SCRATCH/trained/sa-ff.json > $SCRATCH/trained/bad-padding.json && exact-interp bound $SCRATCH/trained/bad-padding.json 2>&1
