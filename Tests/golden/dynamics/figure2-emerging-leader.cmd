exact-interp dynamics Datasets/dynamics/figure2-emerging-leader.json --alpha 1 --layers 8 --final-only 2>&1
