exact-interp generate --pairs 3 --length 5...2 --dimension 2 -o $SCRATCH/never.json 2>&1
