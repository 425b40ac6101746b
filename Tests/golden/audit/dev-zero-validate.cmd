exact-interp validate /dev/zero 2>&1
