mkdir -p $SCRATCH && printf '\357\273\277' | cat - Datasets/figure5.json > $SCRATCH/audit-bom.json && exact-interp validate $SCRATCH/audit-bom.json 2>&1
