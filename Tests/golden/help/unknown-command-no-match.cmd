exact-interp frobnicate 2>&1
