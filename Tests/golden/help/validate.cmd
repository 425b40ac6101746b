COLUMNS=100 exact-interp validate --help
