exact-interp construct Datasets/classification/labelled-40.json -o $SCRATCH/labelled-40.model.json --layout compact --quiet
