exact-interp import Datasets/figure5.json -o out/never.json
