mkdir -p out && exact-interp construct --causal Datasets/causal/order-matters.json -o out/order-matters.model.json --quiet
