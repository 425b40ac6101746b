exact-interp construct Datasets/classification/handmade-40.json -o $SCRATCH/handmade-40.model.json --layout compact --quiet
