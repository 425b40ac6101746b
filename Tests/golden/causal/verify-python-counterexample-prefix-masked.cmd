python3 tools/verify_certificate.py Datasets/causal/counterexample-prefix-masked.model.json Datasets/causal/counterexample.json
