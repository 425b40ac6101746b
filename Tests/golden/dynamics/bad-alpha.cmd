exact-interp dynamics Datasets/dynamics/worked-c.json --alpha 0 --layers 3 2>&1
