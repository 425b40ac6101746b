exact-interp causal-claim --search
