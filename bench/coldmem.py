#!/usr/bin/env python3
"""How much more a first touch of memory costs once the machine has had it back.

Touches SIZE MiB of fresh anonymous memory (in 2 MiB huge pages where the kernel allows, as
masthead's allocator takes its heap), frees it, waits, and touches SIZE MiB again, for each
wait given. On a machine whose memory is its own, every line costs about the same. On a VM
whose balloon reports free pages to the host, memory freed a moment ago is still backed by
the host and is cheap to touch again; after some seconds it has been handed back, and the
touch waits for the host to supply it once more. bench/lib.sh waits that long
(SETTLE_MEMORY) before every timed build, so that no build inherits warm memory from the one
before it.

    python3 bench/coldmem.py [SIZE_MIB] [WAIT_S...]     defaults: 2000 and 0 1 2 4 8 16 30
    python3 bench/coldmem.py --fill SIZE_MIB

`--fill` touches SIZE_MIB at once and frees it: with the reporting turned off first
(bench/run.sh's MEMORY=backed), that memory stays backed by the host and no later touch of it
waits for the host.
"""

import mmap
import sys
import time

PAGE = 4096


def touched(size: int) -> mmap.mmap:
    """A fresh SIZE-byte mapping with one byte written into every page."""
    m = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    if hasattr(mmap, "MADV_HUGEPAGE"):
        m.madvise(mmap.MADV_HUGEPAGE)
    for offset in range(0, size, PAGE):
        m[offset] = 1
    return m


def touch(size: int) -> float:
    """Seconds to write one byte into every page of a fresh SIZE-byte mapping."""
    start = time.perf_counter()
    m = touched(size)
    took = time.perf_counter() - start
    m.close()
    return took


def fill(size: int) -> None:
    """Holds SIZE bytes of touched memory at once, then frees all of it."""
    chunk = 1 << 30
    start = time.perf_counter()
    held = [touched(min(chunk, size - offset)) for offset in range(0, size, chunk)]
    took = time.perf_counter() - start
    for m in held:
        m.close()
    print(f"touched {size >> 20} MiB in {took:.1f} s and freed it")


def main() -> None:
    args = sys.argv[1:]
    if args[:1] == ["--fill"] and len(args) == 2:
        fill(int(args[1]) << 20)
        return
    size = int(args[0]) << 20 if args else 2000 << 20
    waits = [float(w) for w in args[1:]] or [0, 1, 2, 4, 8, 16, 30]
    print(f"touching {size >> 20} MiB, freeing it, waiting, touching it again")
    for wait in waits:
        before = touch(size)
        time.sleep(wait)
        after = touch(size)
        print(f"wait {wait:5.1f} s: {before:.3f} s before, {after:.3f} s after", flush=True)


if __name__ == "__main__":
    main()
