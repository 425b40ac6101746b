exact-interp import Datasets/figure5.json -o $SCRATCH/never.json
