exact-interp eval out/trained/sa-ff.json out/trained/arrays.json --arithmetic float64
