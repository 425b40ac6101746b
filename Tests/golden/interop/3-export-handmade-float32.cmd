exact-interp export Datasets/models/figure5-handmade.model.json -o $SCRATCH/handmade.f32.safetensors --dtype float32
