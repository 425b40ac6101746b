exact-interp validate 2>&1
