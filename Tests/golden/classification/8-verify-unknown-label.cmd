exact-interp verify out/labelled-40.model.json Datasets/invalid/unknown-label.json 2>&1
