exact-interp verify $SCRATCH/labelled-40.model.json Datasets/invalid/unknown-label.json 2>&1
