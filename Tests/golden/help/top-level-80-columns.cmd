COLUMNS=80 exact-interp --help
