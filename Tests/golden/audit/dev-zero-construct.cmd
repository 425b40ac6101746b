mkdir -p out && rm -f out/audit-zero.json && exact-interp construct /dev/zero -o out/audit-zero.json 2>&1; echo "exit $?"; test -e out/audit-zero.json || echo "no model written"
