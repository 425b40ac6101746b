exact-interp dynamics Datasets/dynamics/figure2-non-leader-clusters.json --alpha 1 --layers 8 --final-only 2>&1
