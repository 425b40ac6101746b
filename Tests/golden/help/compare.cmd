COLUMNS=100 exact-interp compare --help
