exact-interp dynamics Datasets/dynamics/worked-c.json --alpha 1 --layers 3 --matrix "1 0; 0" 2>&1
