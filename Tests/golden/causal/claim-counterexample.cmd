exact-interp causal-claim Datasets/causal/counterexample.json
