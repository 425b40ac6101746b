exact-interp dynamics Datasets/dynamics/figure2-square.json --alpha 1 --layers 8 --final-only 2>&1
