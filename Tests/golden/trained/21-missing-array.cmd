exact-interp dataset-from-arrays Tests/golden/trained/arrays.safetensors --inputs Z --targets Y -o out/trained/never.json 2>&1
