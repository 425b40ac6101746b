COLUMNS=100 exact-interp generate --help
