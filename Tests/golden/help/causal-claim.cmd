COLUMNS=100 exact-interp causal-claim --help
