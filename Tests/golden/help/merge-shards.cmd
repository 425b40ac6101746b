COLUMNS=100 exact-interp merge-shards --help
