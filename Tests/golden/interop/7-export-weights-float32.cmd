mkdir -p out && exact-interp export out/float32-3d.f32.model.json -o out/float32-3d.f32.safetensors --dtype float32
