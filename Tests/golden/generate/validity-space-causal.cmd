exact-interp generate --profile validity-space --kind causal --coordinates near-tie --dimension 2 --pairs 2 --seed 2 -o -
