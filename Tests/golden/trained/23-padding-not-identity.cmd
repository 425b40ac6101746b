sed 's/"padding": \["feedforward"\]/"padding": ["attention"]/' out/trained/sa-ff.json > out/trained/bad-padding.json && exact-interp bound out/trained/bad-padding.json 2>&1
