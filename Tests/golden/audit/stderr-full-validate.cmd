exact-interp validate nothere.json 2>/dev/full
