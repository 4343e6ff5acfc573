#!/usr/bin/env bash
# masthead vs Hugo build benchmark (SPEC §8). Usage:
#
#   bash bench/run.sh [SIZE...]        SIZE: 1k (200×5), 10k (2000×5), 100k (20000×5)
#                                      or EDITIONSxPER_EDITION, e.g. 500x4; default: 1k 10k
#
# Environment: RUNS (timed runs per tool and size, default 5), WARMUP (untimed runs per tool
# and size, default 1), TOOLS (default "masthead hugo"), SETTLE (least seconds to wait after
# deleting files before timing, default 400; then until the disk's discards have stopped
# for 15 s, at most 600 s in all), MEM_GUARD_MIB (kill a build when the machine's
# MemAvailable drops below this, default 1024), KEEP_OUTPUTS=1 (keep this run's outputs),
# RESET_CACHES=0 (do not drop the kernel's caches before each run, see reset_caches in lib.sh),
# SETTLE_MEMORY (seconds to wait after dropping them, default 30, see lib.sh),
# INTERLEAVE=1 (the sizes take turns, run by run, instead of one size after the other; the
# report's "Scaling" table then also gives each round's ratio between sizes). TOOLS may also
# name `copy`: `cp -r` of masthead's first untimed output of the size into a fresh folder,
# timed like a build, the floor that the file system sets (it needs masthead and WARMUP ≥ 1).
# WRITEBACK=held (raise the kernel's writeback thresholds during each timed run, so that no
# size reaches them inside its time; default `kernel`: the machine's own settings, under
# which a build writing more than about 2 GB has part of its output written back to disk
# while it runs, and a smaller one has none; see README.md).
# MEMORY=backed (turn this VM's free page reporting off for the whole benchmark and touch the
# free memory once first, so that no run waits for the host to supply memory; default
# `kernel`: memory as the VM has it, where a build touching more than about 2 GB of fresh
# memory pays the host for the rest and a smaller one does not; see README.md).
#
# Every run writes into a fresh output folder; nothing is deleted between timed runs (on this
# ext4 disk, creating thousands of files within a minute or two of deleting thousands is
# several times slower, see README.md), so this run's outputs are deleted only at the end.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
WORK=$BENCH/work
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
SETTLE=${SETTLE:-400}
MEM_GUARD_MIB=${MEM_GUARD_MIB:-1024}
read -r -a TOOLS <<< "${TOOLS:-masthead hugo}"
has_tool() { local t; for t in "${TOOLS[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1k 10k)

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
if has_tool copy && ! { has_tool masthead && [ "$WARMUP" -ge 1 ]; }; then
    log "copy needs masthead among TOOLS and WARMUP ≥ 1: it copies masthead's first output"
    exit 2
fi

# One run.sh at a time (a second one would measure the first one's load and deletes).
mkdir -p "$WORK"
exec 9> "$WORK/.lock"
if ! flock -n 9; then
    log "another bench/run.sh is running (or still deleting its outputs): waiting for it"
    flock 9
fi

# --- tools ----------------------------------------------------------------------------
missing=()
command -v hugo >/dev/null || missing+=(hugo)
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} from Debian"
    install_from_debian "${missing[@]}"
fi
command -v python3 >/dev/null || { log "python3 is needed for bench/gen.py"; exit 1; }

# masthead is built from a commit (default HEAD), exported with `git archive` into
# bench/work/src and built there, so edits in progress in the work tree neither break the
# benchmark nor change the binary between runs. MASTHEAD_REV=worktree builds the work tree.
mkdir -p "$WORK/bin"
REV=${MASTHEAD_REV:-HEAD}
if [ "$REV" = worktree ]; then
    log "building masthead from the work tree (release)"
    (cd "$ROOT" && cargo build --release --quiet)
    COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [ -n "$(git -C "$ROOT" status --porcelain -- src Cargo.toml Cargo.lock themes 2>/dev/null)" ]; then
        COMMIT="$COMMIT+worktree-changes"
    fi
    # Others may rebuild target/release while we measure: time a private copy.
    MASTHEAD=$WORK/bin/masthead-worktree
    cp "$ROOT/target/release/masthead" "$MASTHEAD.tmp" && mv "$MASTHEAD.tmp" "$MASTHEAD"
else
    COMMIT=$(git -C "$ROOT" rev-parse --short "$REV^{commit}")
    MASTHEAD=$WORK/bin/masthead-$COMMIT
    if [ ! -x "$MASTHEAD" ]; then
        log "building masthead $COMMIT (release) in bench/work/src"
        rm -rf "$WORK/src"
        mkdir -p "$WORK/src"
        git -C "$ROOT" archive "$COMMIT" | tar -x -C "$WORK/src"
        (cd "$WORK/src" && CARGO_TARGET_DIR="$WORK/target" cargo build --release --quiet)
        cp "$WORK/target/release/masthead" "$MASTHEAD.tmp" && mv "$MASTHEAD.tmp" "$MASTHEAD"
    fi
fi
HUGO=$(command -v hugo)
HUGO_VERSION=$("$HUGO" version | awk '{print $2}')

# --- output folders -------------------------------------------------------------------
deleted=0
if [ -d "$WORK/out" ] && [ -n "$(ls -A "$WORK/out" 2>/dev/null)" ]; then
    log "removing outputs left by an interrupted run"
    rm -rf "$WORK/out"
    deleted=1
fi
# The kernel's writeback settings, as found, to restore at the end (WRITEBACK=held).
WRITEBACK=${WRITEBACK:-kernel}
WB_KEYS=(vm.dirty_background_bytes vm.dirty_background_ratio vm.dirty_bytes vm.dirty_ratio vm.dirty_expire_centisecs)
declare -A WB_SAVED=()
case "$WRITEBACK" in
    kernel) ;;
    held)
        if [ ! -w /proc/sys/vm/dirty_background_bytes ]; then
            log "WRITEBACK=held needs root (it sets vm.dirty_*): measuring with the kernel's settings"
            WRITEBACK=kernel
        fi
        ;;
    *) log "unknown WRITEBACK '$WRITEBACK' (use kernel or held)"; exit 2 ;;
esac
writeback_hold() {  # lets up to 8 GiB of written files wait in memory, for up to an hour
    local k
    for k in "${WB_KEYS[@]}"; do WB_SAVED[$k]=$(sysctl -n "$k"); done
    sysctl -q vm.dirty_bytes=17179869184 vm.dirty_background_bytes=8589934592 \
        vm.dirty_expire_centisecs=360000
}
writeback_restore() {  # a *_bytes and its *_ratio exclude each other: set the non-zero one
    [ ${#WB_SAVED[@]} -gt 0 ] || return 0
    local pair
    for pair in dirty_background dirty; do
        if [ "${WB_SAVED[vm.${pair}_bytes]}" != 0 ]; then
            sysctl -q "vm.${pair}_bytes=${WB_SAVED[vm.${pair}_bytes]}"
        else
            sysctl -q "vm.${pair}_ratio=${WB_SAVED[vm.${pair}_ratio]}"
        fi
    done
    sysctl -q "vm.dirty_expire_centisecs=${WB_SAVED[vm.dirty_expire_centisecs]}"
    WB_SAVED=()
}
# MEMORY=backed: free page reporting off for the whole benchmark, and the machine's free memory
# touched once, so that every run's memory is backed by the host from the start.
MEMORY=${MEMORY:-kernel}
REPORTING=/sys/module/page_reporting/parameters/page_reporting_order
REPORTING_SAVED=
case "$MEMORY" in
    kernel) ;;
    backed)
        if [ ! -w "$REPORTING" ]; then
            log "MEMORY=backed needs root and a kernel with free page reporting ($REPORTING): measuring memory as it is"
            MEMORY=kernel
        fi
        ;;
    *) log "unknown MEMORY '$MEMORY' (use kernel or backed)"; exit 2 ;;
esac
memory_back() {  # no free block is large enough to be reported once the order is past the largest
    local orders avail_mib
    REPORTING_SAVED=$(cat "$REPORTING")
    orders=$(awk '/zone/ {print NF - 4; exit}' /proc/buddyinfo)
    echo "$orders" > "$REPORTING"
    avail_mib=$(awk '/^MemAvailable:/ {print int($2 / 1024); exit}' /proc/meminfo)
    log "free page reporting off (order $REPORTING_SAVED → $orders); touching $((avail_mib - 3072)) MiB once"
    python3 "$BENCH/coldmem.py" --fill $((avail_mib - 3072)) >&2
}
memory_restore() {
    [ -n "$REPORTING_SAVED" ] || return 0
    echo "$REPORTING_SAVED" > "$REPORTING"
    REPORTING_SAVED=
}
# pages the kernel has written to disk so far (all files, all processes)
pages_written() { awk '/^nr_written / {print $2; exit}' /proc/vmstat; }
PAGE_BYTES=$(getconf PAGESIZE)
STAMP=$(date +%Y%m%d-%H%M%S)
OUTROOT=$WORK/out/$STAMP
mkdir -p "$OUTROOT"
cleanup() {
    writeback_restore
    memory_restore
    if [ "${KEEP_OUTPUTS:-0}" = 1 ]; then
        log "keeping outputs in $OUTROOT"
    else
        log "deleting this run's outputs ($OUTROOT)"
        rm -rf "$OUTROOT"
        rmdir "$WORK/out" 2>/dev/null || true
        date +%s > "$WORK/.last-delete"  # the next run.sh waits until SETTLE s after this
    fi
}
trap cleanup EXIT

# --- corpora --------------------------------------------------------------------------
GEN_SHA=$(sha256sum "$BENCH/gen.py" | cut -c1-16)
size_shape() {  # prints "EDITIONS PER_EDITION"
    case "$1" in
        1k) echo "200 5" ;;
        10k) echo "2000 5" ;;
        100k) echo "20000 5" ;;
        *x*) echo "${1%x*} ${1#*x}" ;;
        *) log "unknown size '$1' (use 1k, 10k, 100k or EDITIONSxPER_EDITION)"; exit 2 ;;
    esac
}
for size in "${SIZES[@]}"; do
    read -r ne pe < <(size_shape "$size")
    corpus=$WORK/corpus-$size
    if [ "$(cat "$corpus/.gen-sha" 2>/dev/null)" != "$GEN_SHA-$ne-$pe" ]; then
        [ -d "$corpus" ] && deleted=1
        log "generating corpus $size ($ne editions × $pe articles) into $corpus"
        rm -f "$corpus/.gen-sha"
        python3 "$BENCH/gen.py" --editions "$ne" --per-edition "$pe" --out "$corpus"
        echo "$GEN_SHA-$ne-$pe" > "$corpus/.gen-sha"
    fi
done
# After a big delete, file creation on this disk costs several times its usual system time
# for minutes. This ext4 has no journal, and then the kernel avoids reusing an inode freed in
# the last 60 s, or 360 s while its inode-table block is still dirty (`recently_deleted` in
# fs/ext4/ialloc.c): each new file checks the freed inodes of its group one by one (perf:
# `find_get_block_common` and `recently_deleted` at the top of the profile). The disk is
# also mounted with `discard`, and the freed blocks' discards come in storms. So wait at
# least SETTLE s (default 400 > 360) after the last delete, and then until the disk has had
# no discard storm (< 100 discards/s) for 15 s in a row.
DISK_STAT=/sys/class/block/$(basename "$(df --output=source "$WORK" | tail -n 1)")/stat
discards() { if [ -r "$DISK_STAT" ]; then awk '{print $12 + 0}' "$DISK_STAT"; else echo 0; fi; }
settle() {  # settle SECONDS_AT_LEAST
    local least=$1 t=0 quiet=0 prev cur
    sync
    prev=$(discards)
    while [ "$t" -lt 600 ]; do
        if [ "$t" -ge "$least" ] && [ "$quiet" -ge 15 ]; then break; fi
        sleep 1
        t=$((t + 1))
        cur=$(discards)
        if [ $((cur - prev)) -lt 100 ]; then quiet=$((quiet + 1)); else quiet=0; fi
        prev=$cur
    done
    log "waited ${t}s for the disk to settle"
}
sync
least=-1
if [ "$deleted" = 1 ]; then
    least=$SETTLE
elif [ -f "$WORK/.last-delete" ]; then  # a previous run.sh deleted its outputs at its end
    least=$(( $(cat "$WORK/.last-delete") + SETTLE - $(date +%s) ))
    [ "$least" -ge 0 ] || least=0
fi
if [ "$least" -ge 0 ] && [ "$SETTLE" -gt 0 ]; then
    log "files were deleted recently: waiting ≥${least}s and until the disk's discards stop"
    settle "$least"
fi
if [ "$MEMORY" = backed ]; then memory_back; fi

# --- measuring ------------------------------------------------------------------------
HZ=$(getconf CLK_TCK)
# busy CPU ticks of the whole machine so far (user nice system irq softirq steal)
busy_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }

# timed TIMEFILE ERRFILE CMD... — /usr/bin/time CMD, killing CMD if the machine runs short of
# memory (a 100k Hugo build wants ~20 GB); returns CMD's exit status.
timed() {
    local tfile=$1 errf=$2 pid k v _ child
    shift 2
    /usr/bin/time -f '%e %U %S %M' -o "$tfile" "$@" >/dev/null 2>"$errf" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        while read -r k v _; do [ "$k" = MemAvailable: ] && break; done < /proc/meminfo
        if [ "$((v / 1024))" -lt "$MEM_GUARD_MIB" ]; then
            child=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)
            [ -n "$child" ] && kill -9 $child 2>/dev/null
            echo "bench memory guard: killed the build, MemAvailable fell to $((v / 1024)) MiB" >> "$errf"
            break
        fi
        sleep 0.5
    done
    wait "$pid"
}


# run TOOL SIZE LABEL → appends "tool label wall user sys rss files bytes rc" to $results
run_one() {
    local tool=$1 size=$2 label=$3 corpus=$WORK/corpus-$2
    local out=$OUTROOT/$size/$tool-$label
    local tfile=$OUTROOT/$size/$tool-$label.time errf=$OUTROOT/$size/$tool-$label.err
    local rc=0 busy0 busy1 written0 written1
    sync  # the previous run's writeback must not land in this one
    if [ "$tool" = copy ]; then
        COPY_FROM=$OUTROOT/$size/masthead-warmup1
        reset_caches "$COPY_FROM"
    else
        reset_caches "$corpus/$tool"
    fi
    if [ "$WRITEBACK" = held ]; then writeback_hold; fi
    busy0=$(busy_ticks)
    written0=$(pages_written)
    case "$tool" in
        masthead)
            timed "$tfile" "$errf" \
                "$MASTHEAD" -s "$corpus/masthead" --clock "$CLOCK" build --output "$out" || rc=$?
            ;;
        hugo)
            timed "$tfile" "$errf" "$HUGO" --quiet -s "$corpus/hugo" -d "$out" || rc=$?
            ;;
        copy)
            timed "$tfile" "$errf" cp -r "$COPY_FROM" "$out" || rc=$?
            ;;
    esac
    busy1=$(busy_ticks)
    written1=$(pages_written)
    writeback_restore
    local files=0 bytes=0
    if [ -d "$out" ]; then
        files=$(find "$out" -type f | wc -l)
        bytes=$(find "$out" -type f -printf '%s\n' | awk '{s += $1} END {printf "%d", s}')
    fi
    # /usr/bin/time writes "Command exited with non-zero status N" first on failure.
    local t
    t=$(tail -n 1 "$tfile" 2>/dev/null || true)
    [[ "$t" =~ ^[0-9.]+\ [0-9.]+\ [0-9.]+\ [0-9]+$ ]] || t="0 0 0 0"
    # CPU time the whole machine spent during the run, minus the build's own: other work.
    local others
    others=$(awk -v b="$((busy1 - busy0))" -v hz="$HZ" -v t="$t" \
        'BEGIN {split(t, f, " "); o = b / hz - f[2] - f[3]; if (o < 0) o = 0; printf "%.2f", o}')
    local written_mb=$(((written1 - written0) * PAGE_BYTES / 1048576))
    echo "$tool $label $t $files $bytes $rc $others $written_mb" >> "$results"
    if [ "$rc" != 0 ]; then
        log "$tool ($size, run $label) FAILED with exit status $rc:"
        sed 's/^/    /' "$errf" | head -n 40 >&2
        return 1
    fi
    if [ "$tool" = masthead ]; then
        log "$tool $size run $label: $(grep -a 'Built ' "$errf" | tail -n 1) [$files files]"
    else
        [ -s "$errf" ] && { log "$tool printed on stderr:"; head -n 20 "$errf" | sed 's/^/    /' >&2; }
        log "$tool $size run $label: ${t%% *} s [$files files]"  # hugo or copy
    fi
}

REPORT=$WORK/results-$STAMP.md
{
    echo "# masthead vs Hugo — $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- masthead commit: \`$COMMIT\`; Hugo: \`$HUGO_VERSION\`"
    echo "- machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(free -h | awk '/^Mem:/ {print $2}') RAM, $(uname -sr)"
    echo "- $RUNS timed runs per tool and size (after $WARMUP untimed), alternating$([ "${INTERLEAVE:-0}" = 1 ] && echo ', sizes taking turns'), each into a fresh folder, caches reset and memory left ${SETTLE_MEMORY:-30} s to settle before each; medians"
    if [ "$WRITEBACK" = held ]; then
        echo "- the kernel's background writeback held off during each timed run (WRITEBACK=held): no run reaches the kernel's thresholds, whatever its size (the last column of the runs shows what was written anyway)"
    else
        echo "- the kernel's own writeback settings (WRITEBACK=kernel): a run's output is written to disk during the run once enough of it waits in memory, after the run otherwise"
    fi
    if [ "$MEMORY" = backed ]; then
        echo "- memory backed by the host throughout (MEMORY=backed): free page reporting off and the free memory touched once before the first run, so no run waits for the host to supply memory"
    else
        echo "- memory as the VM has it (MEMORY=kernel): memory freed earlier may have gone back to the host, and a run's first touch of it waits for the host"
    fi
    echo
} > "$REPORT"

declare -A CLOCKS
declare -A OK
for size in "${SIZES[@]}"; do
    corpus=$WORK/corpus-$size
    mkdir -p "$OUTROOT/$size"
    : > "$OUTROOT/$size/runs.txt"
    CLOCKS[$size]=$(clock_of "$corpus")
    log "size $size: $(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["articles"], "articles,", m["editions"], "editions,", m["avg_body_words"], "words each")' "$corpus/corpus.json") (clock ${CLOCKS[$size]})"
    OK[$size/masthead]=0 OK[$size/hugo]=0
    has_tool masthead && OK[$size/masthead]=1
    has_tool hugo && OK[$size/hugo]=1
    OK[$size/copy]=0
    has_tool copy && OK[$size/copy]=1
done

# run_round SIZE LABEL ORDER...: one run of each tool still working at SIZE
run_round() {
    local size=$1 label=$2 tool
    shift 2
    results=$OUTROOT/$size/runs.txt
    CLOCK=${CLOCKS[$size]}
    for tool in "$@"; do
        if [ "${OK[$size/$tool]}" = 1 ]; then run_one "$tool" "$size" "$label" || OK[$size/$tool]=0; fi
    done
}
# ABBA order, so neither tool always runs right after the other's writes.
order_of() { if (($1 % 2)); then echo masthead hugo copy; else echo copy hugo masthead; fi; }
if [ "${INTERLEAVE:-0}" = 1 ]; then
    # Sizes take turns, so a drift of the machine's speed over the minutes of the benchmark
    # falls on every size alike and the ratios between sizes are measured in the same minutes.
    for ((w = 1; w <= WARMUP; w++)); do
        for size in "${SIZES[@]}"; do run_round "$size" "warmup$w" masthead hugo copy; done
    done
    for ((i = 1; i <= RUNS; i++)); do
        for size in "${SIZES[@]}"; do
            # shellcheck disable=SC2046
            run_round "$size" "$i" $(order_of "$i")
        done
    done
else
    for size in "${SIZES[@]}"; do
        for ((w = 1; w <= WARMUP; w++)); do run_round "$size" "warmup$w" masthead hugo copy; done
        # shellcheck disable=SC2046
        for ((i = 1; i <= RUNS; i++)); do run_round "$size" "$i" $(order_of "$i"); done
    done
fi

for size in "${SIZES[@]}"; do
    corpus=$WORK/corpus-$size
    results=$OUTROOT/$size/runs.txt
    python3 - "$results" "$size" "$corpus/corpus.json" "$RUNS" >> "$REPORT" <<'PY'
import json, os, statistics, sys
path, size, meta_path, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
meta = json.load(open(meta_path))
rows = {"masthead": [], "hugo": [], "copy": []}
failed = set()
seen = set()
for line in open(path):
    f = line.split()
    tool, label = f[0], f[1]
    seen.add(tool)
    if f[8] != "0":
        failed.add(tool)
        continue
    if label.startswith("warmup"):
        continue
    wall, user, sys_, rss, files, nbytes = float(f[2]), float(f[3]), float(f[4]), int(f[5]), int(f[6]), int(f[7])
    rows[tool].append({"wall": wall, "cpu": user + sys_, "rss": rss / 1024, "files": files, "bytes": nbytes})

def med(tool, k):
    xs = [r[k] for r in rows[tool]]
    return statistics.median(xs) if xs else None

def missing(tool):
    return "failed" if tool in failed else "not run"

def fmt(x, spec, tool):
    return missing(tool) if x is None else format(x, spec)

def ratio(a, b):
    return "—" if a is None or b is None or b == 0 else f"{a / b:.2f}×"

print(f"## {size}: {meta['articles']:,} articles in {meta['editions']:,} editions "
      f"(~{meta['avg_body_words']} words each)\n")
print("| | masthead | Hugo | masthead/Hugo |")
print("|---|---:|---:|---:|")
for key, name, spec in [("wall", "median wall (s)", ".2f"), ("cpu", "median CPU, user+sys (s)", ".2f"),
                        ("rss", "median peak RSS (MiB)", ".0f")]:
    m, h = med("masthead", key), med("hugo", key)
    print(f"| {name} | {fmt(m, spec, 'masthead')} | {fmt(h, spec, 'hugo')} | {ratio(m, h)} |")
def spread(tool):
    xs = [r["wall"] for r in rows[tool]]
    return f"{min(xs):.2f}–{max(xs):.2f}" if xs else missing(tool)
print(f"| wall min–max (s) | {spread('masthead')} | {spread('hugo')} | |")
for key, name in [("files", "output files"), ("bytes", "output bytes")]:
    m, h = med("masthead", key), med("hugo", key)
    val = (lambda x, tool: missing(tool) if x is None else f"{int(x):,}")
    print(f"| {name} | {val(m, 'masthead')} | {val(h, 'hugo')} | {ratio(m, h)} |")
for tool in ("masthead", "hugo"):
    fs = {r["files"] for r in rows[tool]}
    if len(fs) > 1:
        print(f"\n**{tool} wrote different file counts across runs: {sorted(fs)}**")
    if tool in failed:
        print(f"\n**{tool} failed on this corpus (see the run log).**")
    if rows[tool] and len(rows[tool]) != runs:
        print(f"\n{tool}: only {len(rows[tool])} of {runs} runs succeeded.")
if rows["copy"]:
    print(f"\n`cp -r` of masthead's output (the floor): median wall {med('copy', 'wall'):.2f} s "
          f"({spread('copy')}), CPU {med('copy', 'cpu'):.2f} s; masthead/copy {ratio(med('masthead', 'wall'), med('copy', 'wall'))}.")
# Other processes' CPU per second of the run, and MB written to disk, from the timed runs
# (older rows lack these columns).
others, written = {}, {}
for l in open(path):
    f = l.split()
    if f[1].startswith("warmup"):
        continue
    if len(f) > 9:
        others.setdefault(f[0], []).append(float(f[9]) / max(float(f[2]), 0.01))
    if len(f) > 10:
        written.setdefault(f[0], []).append(int(f[10]))
if others:
    print("\nOther processes on the machine used, during the timed runs, a median of "
          + " and ".join(f"{statistics.median(v):.2f} CPU (max {max(v):.2f}) during {t}'s"
                         for t, v in others.items())
          + f" (of {os.cpu_count()} CPUs); 0 is a quiet machine.")
if written:
    print("\nWritten to disk by the kernel during the timed runs (any file, MB): a median of "
          + " and ".join(f"{statistics.median(v):,.0f} (max {max(v):,}) during {t}'s" for t, v in written.items())
          + ".")
print("\n<details><summary>runs (wall s, user s, sys s, max RSS KiB, files, bytes, exit, "
      "others' CPU s during the run, MB written to disk during the run)</summary>\n")
print("```")
print(open(path).read().rstrip())
print("```\n</details>\n")
PY
    log "size $size done"
done

# How the time grows with the size: for each tool and each pair of successive sizes, the
# ratio of the median walls and, when the sizes took turns (INTERLEAVE=1), the ratio of each
# round's two runs, which were measured a minute apart.
if [ ${#SIZES[@]} -gt 1 ]; then
    python3 - "$OUTROOT" "$WORK" "${INTERLEAVE:-0}" "${SIZES[@]}" >> "$REPORT" <<'PY'
import json, statistics, sys
outroot, work, interleaved, sizes = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4:]

def walls(size, tool):
    runs = {}
    for line in open(f"{outroot}/{size}/runs.txt"):
        f = line.split()
        if f[0] == tool and not f[1].startswith("warmup") and f[8] == "0":
            runs[f[1]] = float(f[2])
    return runs

def articles(size):
    return json.load(open(f"{work}/corpus-{size}/corpus.json"))["articles"]

print("## Scaling\n")
print("| tool | sizes | articles × | median wall | wall × | per-round wall × (median) |")
print("|---|---|---:|---|---:|---|")
for tool in ("masthead", "hugo", "copy"):
    for a, b in zip(sizes, sizes[1:]):
        wa, wb = walls(a, tool), walls(b, tool)
        if not wa or not wb:
            continue
        ma, mb = statistics.median(wa.values()), statistics.median(wb.values())
        paired = "—"
        if interleaved:
            rs = [wb[k] / wa[k] for k in sorted(wa, key=int) if k in wb and wa[k] > 0]
            if rs:
                paired = ", ".join(f"{r:.2f}" for r in rs) + f" ({statistics.median(rs):.2f})"
        print(f"| {tool} | {a} → {b} | {articles(b) / articles(a):.0f} | {ma:.2f} → {mb:.2f} s "
              f"| {mb / ma:.2f} | {paired} |")
print()
PY
fi

echo
cat "$REPORT"
log "report saved to $REPORT"
