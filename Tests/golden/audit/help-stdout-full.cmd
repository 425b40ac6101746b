exact-interp --help 2>&1 >/dev/full
