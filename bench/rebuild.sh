#!/usr/bin/env bash
# Rebuilds into an existing output folder, masthead against Hugo: the newsroom's usual case,
# where `build` runs again over a site that was built before. Usage:
#
#   bash bench/rebuild.sh [SIZE]     SIZE: 1k, 10k (default) or 100k, a corpus run.sh made
#
# Each tool first builds its output folder (untimed): masthead three times, so that it has its
# spare and every timed rebuild recycles a folder whose pages were recorded (docs/output.md), then
# RUNS (default 5) timed rebuilds of the unchanged corpus alternate in ABBA order, each after
# `sync` and the same cache reset as run.sh. The whole process is timed, so masthead's last
# step (keeping the replaced site as the spare) is in it. The outputs are deleted at the end
# (KEEP_OUTPUTS=1 keeps them). Run bench/run.sh first: it installs the tools, builds the
# masthead binary of HEAD and generates the corpora.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
WORK=$BENCH/work
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
SIZE=${1:-10k}
RUNS=${RUNS:-5}
CORPUS=$WORK/corpus-$SIZE
MASTHEAD=${MASTHEAD:-$WORK/bin/masthead-$(git -C "$ROOT" rev-parse --short HEAD)}
log() { printf '[rebuild %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

[ -d "$CORPUS/masthead" ] || { log "no corpus $CORPUS: run bash bench/run.sh $SIZE first"; exit 1; }
[ -x "$MASTHEAD" ] || { log "no $MASTHEAD: run bash bench/run.sh first (it builds HEAD)"; exit 1; }
exec 9> "$WORK/.lock"
flock 9
# Creating files within minutes of a mass delete is slow here (see README.md): wait as run.sh.
if [ -f "$WORK/.last-delete" ]; then
    wait_s=$(( $(cat "$WORK/.last-delete") + ${SETTLE:-400} - $(date +%s) ))
    if [ "$wait_s" -gt 0 ]; then log "files were deleted recently: waiting ${wait_s}s"; sleep "$wait_s"; fi
fi

CLOCK=$(clock_of "$CORPUS")
OUT=$WORK/rebuild/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
cleanup() {
    if [ "${KEEP_OUTPUTS:-0}" = 1 ]; then
        log "keeping outputs in $OUT"
    else
        log "deleting $OUT"
        rm -rf "$OUT"
        date +%s > "$WORK/.last-delete"
    fi
}
trap cleanup EXIT

build() {  # build TOOL
    case "$1" in
        masthead) "$MASTHEAD" -s "$CORPUS/masthead" --clock "$CLOCK" build --output "$OUT/masthead" ;;
        hugo) hugo --quiet -s "$CORPUS/hugo" -d "$OUT/hugo" ;;
    esac
}

timed() {  # timed TOOL LABEL
    sync
    # The outputs' own files are read back too, as after the build before (masthead
    # compares what it renders with what is there).
    reset_caches "$CORPUS/$1" "$OUT/$1" "$OUT/.$1.masthead-spare"
    local t
    /usr/bin/time -f '%e %U %S %M' -o "$OUT/time.txt" bash -c 'build "$1" > /dev/null 2>&1' _ "$1"
    t=$(tail -n 1 "$OUT/time.txt")
    echo "$1 $2 $t" >> "$OUT/runs.txt"
    log "$1 rebuild $2: $t (wall user sys KiB)"
}
export -f build
export MASTHEAD CORPUS CLOCK OUT

log "first builds of $SIZE (untimed)"
for _ in 1 2 3; do build masthead > /dev/null 2>&1; done
build hugo > /dev/null 2>&1
for ((i = 1; i <= RUNS; i++)); do
    if ((i % 2)); then order=(masthead hugo); else order=(hugo masthead); fi
    for tool in "${order[@]}"; do timed "$tool" "$i"; done
done
python3 - "$OUT/runs.txt" "$SIZE" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    tool, _, wall, user, sys_, rss = line.split()
    rows.setdefault(tool, []).append((float(wall), float(user) + float(sys_), int(rss) / 1024))
med = lambda t, i: statistics.median(r[i] for r in rows[t])
print(f"\n## Rebuild of the unchanged {sys.argv[2]} corpus into its existing output\n")
print("| | masthead | Hugo | masthead/Hugo |\n|---|---:|---:|---:|")
for i, name in [(0, "median wall (s)"), (1, "median CPU, user+sys (s)"), (2, "median peak RSS (MiB)")]:
    m, h = med("masthead", i), med("hugo", i)
    print(f"| {name} | {m:.2f} | {h:.2f} | {m / h:.2f}× |")
print("\n```\n" + open(sys.argv[1]).read().rstrip() + "\n```")
PY
