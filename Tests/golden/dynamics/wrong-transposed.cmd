exact-interp dynamics Datasets/dynamics/worked-c.json --alpha 1 --layers 3 --matrix "1 1; 0 1" --rule transposed-matrix 2>&1
