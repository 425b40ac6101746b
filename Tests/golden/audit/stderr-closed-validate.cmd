exact-interp validate nothere.json 2>&-
