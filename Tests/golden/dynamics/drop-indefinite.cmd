exact-interp dynamics Datasets/dynamics/drop-indefinite.json --alpha 1 --layers 12 --final-only 2>&1
