exact-interp bound Datasets/models/figure5-handmade.model.json -o $SCRATCH/never.model.json 2>&1
