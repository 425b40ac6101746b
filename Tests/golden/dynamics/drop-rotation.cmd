exact-interp dynamics Datasets/dynamics/drop-rotation.json --alpha 1 --layers 12 --final-only 2>&1
