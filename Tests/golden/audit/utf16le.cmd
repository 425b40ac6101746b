iconv -f utf-8 -t utf-16le Datasets/figure5.json | exact-interp validate - 2>&1
