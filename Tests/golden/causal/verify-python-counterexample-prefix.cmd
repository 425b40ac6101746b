python3 tools/verify_certificate.py Datasets/causal/counterexample-prefix.model.json Datasets/causal/counterexample.json
