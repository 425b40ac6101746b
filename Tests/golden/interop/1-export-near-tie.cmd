exact-interp export Datasets/models/near-tie.model.json -o $SCRATCH/near-tie.safetensors
