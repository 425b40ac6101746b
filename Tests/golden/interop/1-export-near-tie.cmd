mkdir -p out && exact-interp export Datasets/models/near-tie.model.json -o out/near-tie.safetensors
