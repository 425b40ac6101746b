exact-interp import --print-map sa-ff
