mkdir -p out && printf '\357\273\277' | cat - Datasets/figure5.json > out/audit-bom.json && exact-interp validate out/audit-bom.json 2>&1
