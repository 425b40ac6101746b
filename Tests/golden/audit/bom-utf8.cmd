printf '\357\273\277' | cat - Datasets/figure5.json | exact-interp validate - 2>&1
