exact-interp generate --pairs 2 --length 2 --dimension 2 --kind causal -o /dev/null
