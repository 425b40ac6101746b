iconv -f utf-8 -t utf-16 Datasets/figure5.json | exact-interp validate - 2>&1
