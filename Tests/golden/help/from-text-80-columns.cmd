COLUMNS=80 exact-interp from-text --help
