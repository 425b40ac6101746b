mkdir -p out && printf '\357\273\277' | cat - Tests/golden/draw/figure5.model.json > out/audit-bom.model.json && exact-interp verify out/audit-bom.model.json Datasets/figure5.json 2>&1
