exact-interp import $SCRATCH/handmade.f32.safetensors -o $SCRATCH/handmade.f32.json
