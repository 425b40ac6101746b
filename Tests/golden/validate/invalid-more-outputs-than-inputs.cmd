exact-interp validate Datasets/invalid/more-outputs-than-inputs.json 2>&1
