python3 tools/verify_certificate.py $SCRATCH/order-matters.model.json Datasets/causal/order-matters.json
