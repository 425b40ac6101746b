exact-interp draw Tests/golden/draw/figure5.model.json Tests/golden/hardening/inputs/figure5-edited.json -o /dev/null 2>&1
