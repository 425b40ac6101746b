exact-interp from-text /dev/zero -o out/never.json --dimension 2 2>&1
