exact-interp merge-shards /dev/zero 2>&1
