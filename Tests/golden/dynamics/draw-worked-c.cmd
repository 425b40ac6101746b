exact-interp dynamics Datasets/dynamics/worked-c.json --alpha 1 --layers 3 --draw $SCRATCH/dynamics.svg 2>&1 | tail -1
