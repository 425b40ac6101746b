exact-interp dynamics Datasets/dynamics/worked-c.json --alpha 1 --layers 3 --rule unnormalised 2>&1
