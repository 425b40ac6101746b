exact-interp verify out/handmade.f32.json Datasets/figure5.json
