exact-interp construct --causal Datasets/causal/bsd-next-word.json -o $SCRATCH/audit-causal.json --max-bits 3 --quiet 2>&1 >/dev/null
