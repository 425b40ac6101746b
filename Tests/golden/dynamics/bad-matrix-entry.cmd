exact-interp dynamics Datasets/dynamics/worked-c.json --alpha 1 --layers 3 --matrix "1 x; 0 1" 2>&1
