python3 tools/verify_certificate.py Datasets/models/figure5-handmade.model.json Datasets/sentiment/reviews.json 2>&1; echo "exit $?"
