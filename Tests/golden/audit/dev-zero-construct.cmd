mkdir -p $SCRATCH && rm -f $SCRATCH/audit-zero.json && exact-interp construct /dev/zero -o $SCRATCH/audit-zero.json 2>&1; echo "exit $?"; test -e $SCRATCH/audit-zero.json || echo "no model written"
