#!/usr/bin/env python3
"""Generate a site of N articles, each with a 4000x3000 wire-style JPEG, for timing photo
processing (see docs/photos.md and bench/photos.sh).

Each photo is a smooth gradient with grain, so it compresses like a photograph (about
2-3 MB at quality 92), and carries EXIF: an orientation, a camera serial number and GPS
coordinates, as wire photos do. Deterministic: photo i is drawn from seed i.

Usage: python3 bench/photos.py OUT_DIR [N=200]   (needs Pillow)
"""

import random
import sys
from pathlib import Path

from PIL import Image

W, H = 4000, 3000


GRAIN = None


def photo(i: int) -> Image.Image:
    global GRAIN
    if GRAIN is None:  # drawing noise is the slow part: one grain serves every photo
        GRAIN = Image.effect_noise((W, H), 24).convert("RGB")
    rng = random.Random(i)
    small = Image.new("RGB", (W // 8, H // 8))
    px = small.load()
    a, b = [rng.randrange(40, 220) for _ in range(3)], [rng.randrange(40, 220) for _ in range(3)]
    for y in range(H // 8):
        for x in range(W // 8):
            t = (x + y) / (W // 8 + H // 8)
            px[x, y] = tuple(int(a[c] * (1 - t) + b[c] * t) for c in range(3))
    img = small.resize((W, H), Image.BILINEAR)
    return Image.blend(img, GRAIN, 0.18)


def exif(i: int) -> Image.Exif:
    e = Image.Exif()
    e[0x0112] = 1  # Orientation
    e[0x010F] = "Wirecam"  # Make
    gps = e.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (40.0, 26.0, float(i % 60))
    gps[3] = "W"
    gps[4] = (79.0, 58.0, 12.0)
    exif_ifd = e.get_ifd(0x8769)
    exif_ifd[0xA431] = f"SN-{i:06d}"  # BodySerialNumber
    return e


def main() -> None:
    out = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    (out / "content").mkdir(parents=True, exist_ok=True)
    (out / "site.yaml").write_text("title: Wire Desk\nbase_url: https://wire.example.com/\n")
    for i in range(n):
        day = f"2026-03-{1 + i // 20:02d}"
        folder = out / "content" / day
        folder.mkdir(parents=True, exist_ok=True)
        photo(i).save(folder / f"wire-{i:03d}.jpg", quality=92, exif=exif(i))
        (folder / f"story-{i:03d}.md").write_text(
            f"---\ntitle: Wire story {i}\nphoto:\n  src: wire-{i:03d}.jpg\n  alt: Wire photo {i}\n"
            f"  credit: Wire Desk\n---\nStory {i} of the wire desk.\n"
        )
    print(f"wrote {n} articles with {W}x{H} photos into {out}")


if __name__ == "__main__":
    main()
