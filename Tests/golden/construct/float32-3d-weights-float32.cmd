exact-interp construct Datasets/float32-3d.json -o $SCRATCH/float32-3d.f32.model.json --weights float32 --quiet
