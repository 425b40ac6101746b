exact-interp generate --pairs 3 --length 0 --dimension 2 -o $SCRATCH/never.json 2>&1
