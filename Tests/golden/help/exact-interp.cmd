COLUMNS=100 exact-interp --help
