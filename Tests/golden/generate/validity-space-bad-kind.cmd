exact-interp generate --profile validity-space --kind sentences -o $SCRATCH/never.json 2>&1
