#!/usr/bin/env bash
# Golden helper: runs a shell snippet in a fresh temporary directory holding D.json (figure 5's
# dataset) and M.json (its model), with $EI the exact-interp binary. Prints the snippet's output
# (stdout and stderr, the directory's path replaced by TMP), then whether D.json and M.json are
# unchanged and which files the directory holds afterwards.
set -u
EI=$(realpath "$1"); export EI; shift
ROOT=$(pwd); export ROOT
root=$(pwd)
t=$(mktemp -d)
cp "$root/Datasets/figure5.json" "$t/D.json"
cp "$root/Tests/golden/draw/figure5.model.json" "$t/M.json"
(cd "$t" && md5sum D.json M.json > .sums)
(cd "$t" && eval "$*") 2>&1 | sed "s|$t|TMP|g"
(cd "$t" && md5sum --quiet -c .sums && echo "inputs untouched"; ls -A | grep -v '^.sums$' | tr '\n' ' '; echo)
rm -rf "$t"
