exact-interp import out/handmade.f32.safetensors -o out/handmade.f32.json
