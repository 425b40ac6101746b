python3 tools/verify_certificate.py out/reviews.model.json Datasets/sentiment/reviews.json | tail -1
