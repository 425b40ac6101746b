python3 tools/verify_certificate.py $SCRATCH/reviews.model.json Datasets/sentiment/reviews.json | tail -1
