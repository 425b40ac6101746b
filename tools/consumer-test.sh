#!/usr/bin/env bash
# Builds Tests/consumer, a package that depends on this repository by URL and version tag, and runs
# it on Datasets/figure5.json. The dependency is a git repository made from the working tree (every
# tracked or new, non-ignored file) at a fixed path under .build, committed and tagged 1.0.0 there,
# reached through a file:// URL: no network, and no tag in this repository. The consumer's build
# folder is kept between runs, so only what changed is rebuilt.
# Prints what the consumer prints; exits non-zero when it does not build or does not certify.
set -euo pipefail
root=$(pwd)
# docs/library.md's example is the consumer's code, verbatim.
doc_block=$(awk '/<!-- library-example:/{f=1; next} f && /^```swift/{g=1; next} g && /^```/{exit} g' "$root/docs/library.md")
code_block=$(awk '/library-example begin/{f=1; next} /library-example end/{exit} f' "$root/Tests/consumer/Sources/consumer/main.swift")
if [ -z "$doc_block" ] || [ "$doc_block" != "$code_block" ]; then
  diff <(printf '%s\n' "$doc_block") <(printf '%s\n' "$code_block") || true
  echo "consumer-test: docs/library.md's example and Tests/consumer/Sources/consumer/main.swift differ (or are empty)" >&2
  exit 1
fi
work="$root/.build/consumer-test"
repo="$work/exact-interp"
mkdir -p "$repo"
# The working tree's files, with unchanged files keeping their modification times.
git ls-files -z --cached --others --exclude-standard | grep -zv '^Tests/consumer/' > "$work/files"
find "$repo" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
tar -C "$root" --null -T "$work/files" -cf - | tar -C "$repo" -xf -
cd "$repo"
if [ ! -d .git ]; then git init -q; fi
git add -A
git -c user.name=consumer-test -c user.email=consumer-test@localhost commit -q --allow-empty -m "working tree"
git tag -f 1.0.0 >/dev/null
rm -rf "$work/consumer"
mkdir -p "$work/consumer"
cp -R "$root/Tests/consumer/." "$work/consumer/"
cd "$work/consumer"
export EXACT_INTERP_URL="file://$repo"
rm -f Package.resolved
# The tag 1.0.0 moves with every run: drop SwiftPM's cached clone and its pinned revision so that
# it resolves the new commit (a product added since the last run is then found; build products
# are kept).
rm -rf "$work/scratch/repositories" "$work/scratch/workspace-state.json"
if ! swift build --scratch-path "$work/scratch" > "$work/build.log" 2>&1; then
  cat "$work/build.log"
  echo "consumer-test: the consumer package does not build" >&2
  exit 1
fi
"$work/scratch/debug/consumer" "$root/Datasets/figure5.json"
