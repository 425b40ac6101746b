exact-interp generate --pairs 3 --length 4 --dimension 2 --max-outputs -3 -o /dev/null 2>&1
