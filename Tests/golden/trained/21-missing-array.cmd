exact-interp dataset-from-arrays Tests/golden/trained/arrays.safetensors --inputs Z --targets Y -o $SCRATCH/trained/never.json 2>&1
