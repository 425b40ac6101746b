exact-interp causal-claim Datasets/causal/order-matters.json
