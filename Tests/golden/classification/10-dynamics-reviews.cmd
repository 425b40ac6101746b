exact-interp dynamics Datasets/sentiment/reviews.json --alpha 1 --layers 8 --words Datasets/sentiment/words.json 2>&1
