exact-interp dynamics Datasets/dynamics/worked-b.json --alpha 1 --layers 3 2>&1
