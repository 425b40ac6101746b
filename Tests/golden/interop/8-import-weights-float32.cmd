exact-interp import $SCRATCH/float32-3d.f32.safetensors -o $SCRATCH/float32-3d.f32.imported.json && cmp $SCRATCH/float32-3d.f32.model.json $SCRATCH/float32-3d.f32.imported.json && echo byte-identical
