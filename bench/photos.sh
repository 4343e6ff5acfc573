#!/usr/bin/env bash
# Times photo processing: a site of N articles, each with a 4000x3000 JPEG (bench/photos.py),
# built by the release binary on a cold cache (.masthead-cache removed before each run) and on
# a warm one. Whole process, median of RUNS. Needs Pillow and hyperfine.
#   bash bench/photos.sh [N=200]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200}
RUNS=${RUNS:-3}
SITE=bench/work/photos-$N
[ -d "$SITE/content" ] || python3 bench/photos.py "$SITE" "$N"
cargo build --release --quiet
BIN=$PWD/target/release/masthead
"$BIN" -s "$SITE" -v build >/dev/null 2>&1 || true
hyperfine --runs "$RUNS" --export-markdown bench/work/photos-cold.md \
  --prepare "rm -rf $SITE/.masthead-cache" "$BIN -s $SITE -q build"
"$BIN" -s "$SITE" -q build
hyperfine --runs "$RUNS" --export-markdown bench/work/photos-warm.md "$BIN -s $SITE -q build"
"$BIN" -s "$SITE" -v build 2>&1 | grep '^photos:'
