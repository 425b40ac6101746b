exact-interp generate --pairs 3 --length 0 --dimension 2 -o out/never.json 2>&1
