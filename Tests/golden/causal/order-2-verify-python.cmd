python3 tools/verify_certificate.py out/order-matters.model.json Datasets/causal/order-matters.json
