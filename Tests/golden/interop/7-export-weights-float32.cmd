exact-interp export $SCRATCH/float32-3d.f32.model.json -o $SCRATCH/float32-3d.f32.safetensors --dtype float32
