exact-interp causal-claim --search Datasets/causal/order-matters.json 2>&1
