#!/usr/bin/env bash
# How many instructions masthead executes to check each corpus (load, validate and render every
# page in memory, writing nothing), counted by valgrind's callgrind. Unlike a time, the count
# does not depend on the machine's speed or on what else runs on it, so it answers the scaling
# question on its own: does 100k articles cost 10× what 10k cost? Usage:
#
#   bash bench/instructions.sh [SIZE...]    SIZE as for run.sh; default: 1k 10k
#
# The corpora are the ones bench/run.sh generates (run it for a size first). MASTHEAD names the
# binary to count (default: target/release/masthead, built if missing). Under callgrind masthead
# runs about 50× slower, on one core: 1k takes seconds, 10k about 3 minutes, 100k about 30.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
WORK=$BENCH/work
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1k 10k)

command -v valgrind >/dev/null || install_from_debian valgrind
MASTHEAD=${MASTHEAD:-$ROOT/target/release/masthead}
[ -x "$MASTHEAD" ] || (cd "$ROOT" && cargo build --release --quiet)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '| size | content files | pages | instructions | per file | × previous size (files ×) |\n'
printf '|---|---:|---:|---:|---:|---|\n'
prev_ir=
prev_articles=
for size in "${SIZES[@]}"; do
    corpus=$WORK/corpus-$size
    if [ ! -f "$corpus/corpus.json" ]; then
        echo "no corpus $size: run \`bash bench/run.sh $size\` first" >&2
        exit 1
    fi
    valgrind --tool=callgrind --callgrind-out-file="$tmp/$size.out" "$MASTHEAD" \
        -s "$corpus/masthead" --clock "$(clock_of "$corpus")" --verbose check > "$tmp/$size.log" 2>&1
    ir=$(sed -n 's/.*I *refs: *//p' "$tmp/$size.log" | tr -d ,)
    read -r articles pages < <(sed -n 's/^Loaded \([0-9,]*\) content files.* and \([0-9,]*\) pages.*/\1 \2/p' \
        "$tmp/$size.log" | tr -d ,)
    ratio=—
    if [ -n "$prev_ir" ]; then
        ratio=$(python3 -c "import sys; a,b,c,d=map(int,sys.argv[1:]); print(f'{b/a:.2f}× ({d/c:.2f}×)')" \
            "$prev_ir" "$ir" "$prev_articles" "$articles")
    fi
    python3 -c "import sys; s,a,p,i,r=sys.argv[1:]; a,p,i=int(a),int(p),int(i); print(f'| {s} | {a:,} | {p:,} | {i/1e9:.2f} G | {i/a/1e6:.2f} M | {r} |')" \
        "$size" "$articles" "$pages" "$ir" "$ratio"
    prev_ir=$ir
    prev_articles=$articles
done
