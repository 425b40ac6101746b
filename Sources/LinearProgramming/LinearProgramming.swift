// Exact linear programming (Lemma 4.5 witnesses). Filled in by issue 4.
