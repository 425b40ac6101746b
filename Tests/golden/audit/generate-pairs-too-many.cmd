exact-interp generate --pairs 1000000000 --length 2 --dimension 2 -o $SCRATCH/never.json 2>&1
