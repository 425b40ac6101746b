exact-interp verify Datasets/causal/counterexample-prefix.model.json Datasets/causal/counterexample.json
