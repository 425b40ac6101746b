exact-interp dynamics Datasets/dynamics/worked-c.json --alpha 1 --layers 3 --json 2>&1
