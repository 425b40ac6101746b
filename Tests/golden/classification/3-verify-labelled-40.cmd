exact-interp verify $SCRATCH/labelled-40.model.json Datasets/classification/labelled-40.json
