exact-interp verify $SCRATCH/float32-3d.f32.imported.json Datasets/float32-3d.json
