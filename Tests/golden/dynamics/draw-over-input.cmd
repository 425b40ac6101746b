exact-interp dynamics Datasets/dynamics/worked-c.json --alpha 1 --layers 1 --draw Datasets/dynamics/worked-c.json 2>&1
