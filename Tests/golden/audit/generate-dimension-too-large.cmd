exact-interp generate --pairs 3 --length 2 --dimension 20000 -o $SCRATCH/never.json 2>&1
