exact-interp eval Datasets/models/figure5-handmade.model.json Datasets/figure5.json --arithmetic rigorous --trace $SCRATCH/never.trace.json 2>&1
