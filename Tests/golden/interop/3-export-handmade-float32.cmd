mkdir -p out && exact-interp export Datasets/models/figure5-handmade.model.json -o out/handmade.f32.safetensors --dtype float32
