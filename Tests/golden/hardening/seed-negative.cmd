exact-interp generate --pairs 1 --length 2 --dimension 2 --seed -1 -o /dev/null 2>&1
