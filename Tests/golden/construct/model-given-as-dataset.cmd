exact-interp construct Tests/golden/draw/figure5.model.json -o out/never-written.json 2>&1
