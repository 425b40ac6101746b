exact-interp from-text /dev/zero -o $SCRATCH/never.json --dimension 2 2>&1
