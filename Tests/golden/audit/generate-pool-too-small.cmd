exact-interp generate --pairs 3 --length 1...5 --pool 3 --dimension 2 -o $SCRATCH/never.json 2>&1
