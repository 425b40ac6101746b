exact-interp lemmas Datasets/invalid/more-outputs-than-inputs.json 2>&1
