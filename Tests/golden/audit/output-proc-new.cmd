exact-interp generate --pairs 2 --length 2 --dimension 2 -o /proc/audit-new.json 2>&1
