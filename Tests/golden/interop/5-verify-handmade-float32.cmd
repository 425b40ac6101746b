exact-interp verify $SCRATCH/handmade.f32.json Datasets/figure5.json
