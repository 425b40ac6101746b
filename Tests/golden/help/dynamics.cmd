COLUMNS=100 exact-interp dynamics --help
