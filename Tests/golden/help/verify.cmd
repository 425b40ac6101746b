COLUMNS=100 exact-interp verify --help
