exact-interp dynamics Datasets/dynamics/float64-tie.json --alpha 1 --layers 4 2>&1
