exact-interp verify Datasets/causal/counterexample-prefix-masked.model.json Datasets/causal/counterexample.json
