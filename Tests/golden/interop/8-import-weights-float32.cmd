exact-interp import out/float32-3d.f32.safetensors -o out/float32-3d.f32.imported.json && cmp out/float32-3d.f32.model.json out/float32-3d.f32.imported.json && echo byte-identical
