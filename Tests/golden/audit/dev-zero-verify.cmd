exact-interp verify Tests/golden/draw/figure5.model.json /dev/zero 2>&1
