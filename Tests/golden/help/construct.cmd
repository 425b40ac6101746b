COLUMNS=100 exact-interp construct --help
