exact-interp construct --causal Datasets/causal/order-matters.json -o $SCRATCH/order-matters.model.json --quiet
