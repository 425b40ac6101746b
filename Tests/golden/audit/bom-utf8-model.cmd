mkdir -p $SCRATCH && printf '\357\273\277' | cat - Tests/golden/draw/figure5.model.json > $SCRATCH/audit-bom.model.json && exact-interp verify $SCRATCH/audit-bom.model.json Datasets/figure5.json 2>&1
