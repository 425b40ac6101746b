{ { sleep 0.5; exact-interp validate nothere.json; echo "exit $?" >&4; } 2>&1 >/dev/null | true; } 4>&1
