head -c 5000 /dev/zero | tr '\0' ' ' | EXACT_INTERP_MAX_INPUT_BYTES=1K exact-interp validate - 2>&1
