exact-interp construct Tests/golden/draw/figure5.model.json -o $SCRATCH/never-written.json 2>&1
