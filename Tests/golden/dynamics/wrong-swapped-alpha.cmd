exact-interp dynamics Datasets/dynamics/worked-a.json --alpha 1/2 --layers 3 --rule swapped-alpha 2>&1
