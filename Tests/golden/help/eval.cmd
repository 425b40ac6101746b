COLUMNS=100 exact-interp eval --help
