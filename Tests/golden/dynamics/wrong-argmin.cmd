exact-interp dynamics Datasets/dynamics/worked-c.json --alpha 1 --layers 3 --rule argmin 2>&1
