exact-interp lemmas Datasets/invalid/same-input-different-output.json 2>&1
