exact-interp compare Tests/golden/draw/figure5.model.json Tests/golden/hardening/inputs/figure5-edited.json 2>&1
