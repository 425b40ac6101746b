exact-interp bound out/trained/sa-ff.json
