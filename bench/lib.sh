# Shell functions shared by bench/run.sh and bench/rebuild.sh (sourced, not run).

# clock_of CORPUS: the day after the corpus's last edition, the `--clock` of its builds.
clock_of() {
    python3 -c 'import json,sys,datetime as d; m=json.load(open(sys.argv[1])); print(d.date.fromisoformat(m["last_edition"]) + d.timedelta(days=1))' "$1/corpus.json"
}

# Every run starts from the same kernel caches. The kernel keeps every inode it has seen in a
# hash table whose size is fixed at boot (65,536 buckets on an earlier boot of this VM,
# 2,097,152 on the boot of 2026-11-28; see `dmesg | grep Inode-cache`), and
# creating a file walks one bucket: with the million inodes earlier runs left behind, file
# creation costs several times what it costs on a fresh machine, and later runs (the 100k
# ones) would pay for earlier ones. So, as root, drop the clean page, dentry and inode caches
# (the caller has synced) and read the given folders back in (the tool's corpus, as a warm
# edit-build loop has it). RESET_CACHES=0 turns this off.
#
# Then wait SETTLE_MEMORY seconds (default 30; 0 skips the wait). This VM's balloon hands
# memory the guest has freed back to the host after some seconds (free page reporting), and
# the first touch of memory handed back costs several times a touch of memory freed a moment
# ago (bench/coldmem.py measures it: about 1 s more per GB here). Dropping the caches frees
# the last run's output pages: 2.6 GB after a 100k build, a tenth of that after a 10k one.
# Without the wait a run would find as much warm memory as the run before it left, and a
# 10k build after a 100k build would be measured on warm memory while a 100k build after a
# 10k build pays for cold memory. After the wait every run starts on memory in the same state.
reset_caches() {  # reset_caches DIR...
    [ "${RESET_CACHES:-1}" = 1 ] && [ -w /proc/sys/vm/drop_caches ] || return 0
    echo 3 > /proc/sys/vm/drop_caches
    local dir
    for dir in "$@"; do
        [ -d "$dir" ] && find "$dir" -type f -print0 | xargs -0 -r cat > /dev/null
    done
    sleep "${SETTLE_MEMORY:-30}"
    return 0
}

# install_from_debian PKG...: installs Debian packages (as root, without questions).
install_from_debian() {
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}
