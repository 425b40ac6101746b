exact-interp generate --pairs 1000000000 --length 2 --dimension 2 -o out/never.json 2>&1
