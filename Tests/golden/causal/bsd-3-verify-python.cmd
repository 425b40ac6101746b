python3 tools/verify_certificate.py $SCRATCH/bsd-next-word.model.json Datasets/causal/bsd-next-word.json --quiet
