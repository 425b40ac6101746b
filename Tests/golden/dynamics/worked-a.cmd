exact-interp dynamics Datasets/dynamics/worked-a.json --alpha 1/2 --layers 6 2>&1
