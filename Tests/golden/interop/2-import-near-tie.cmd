exact-interp import out/near-tie.safetensors -o out/near-tie.imported.json && cmp Datasets/models/near-tie.model.json out/near-tie.imported.json && echo byte-identical
