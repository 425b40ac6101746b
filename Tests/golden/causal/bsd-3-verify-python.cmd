python3 tools/verify_certificate.py out/bsd-next-word.model.json Datasets/causal/bsd-next-word.json --quiet
