exact-interp import Tests/golden/trained/torch-legacy.pt -o out/trained/never.json 2>&1
