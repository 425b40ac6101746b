exact-interp dynamics Datasets/dynamics/drop-negative-identity.json --alpha 1 --layers 4 2>&1
