exact-interp import $SCRATCH/near-tie.safetensors -o $SCRATCH/near-tie.imported.json && cmp Datasets/models/near-tie.model.json $SCRATCH/near-tie.imported.json && echo byte-identical
