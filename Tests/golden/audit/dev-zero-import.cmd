exact-interp import /dev/zero -o $SCRATCH/never.json 2>&1
