exact-interp generate --pairs -1 --length 2 --dimension 2 -o /dev/null 2>&1
