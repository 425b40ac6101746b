exact-interp import /dev/zero -o out/never.json 2>&1
