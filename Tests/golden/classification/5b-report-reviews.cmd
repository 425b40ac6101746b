mkdir -p out && exact-interp report out/reviews.model.json Datasets/sentiment/reviews.json -o out/reviews.report.md && grep -A8 "## Labels" out/reviews.report.md
