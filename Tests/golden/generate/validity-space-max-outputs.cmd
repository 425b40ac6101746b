exact-interp generate --profile validity-space --max-outputs 2 -o /dev/null
