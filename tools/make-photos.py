#!/usr/bin/env python3
"""Draw the photos of the demo editions in content/.

The sample articles of the demo site are about a fictional river town, so their
"photos" are drawn here rather than downloaded: simple illustrated scenes made of
gradients and shapes (sky, river, buildings, boats, loaves of bread).

Everything is deterministic: each picture has a fixed seed, and the output depends
only on this file and the Pillow version. The JPEGs carry no EXIF metadata.

Usage, from the repository root:

    pip install Pillow
    python3 tools/make-photos.py            # (re)write every photo
    python3 tools/make-photos.py --list     # print the photos and their sizes
    python3 tools/make-photos.py NAME ...   # only the photos whose file name contains NAME
"""

import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"

SS = 2  # drawn at twice the size, then scaled down: cheap anti-aliasing
QUALITY = 80
MAX_BYTES = 120_000


# --------------------------------------------------------------------------- helpers


def mix(a, b, t):
    t = max(0.0, min(1.0, t))
    return tuple(int(round(a[i] + (b[i] - a[i]) * t)) for i in range(len(a)))


def ramp(stops, t):
    """Colour at t in [0, 1] along [(pos, colour), ...]."""
    if t <= stops[0][0]:
        return stops[0][1]
    for (p0, c0), (p1, c1) in zip(stops, stops[1:]):
        if t <= p1:
            return mix(c0, c1, (t - p0) / (p1 - p0) if p1 > p0 else 1.0)
    return stops[-1][1]


def rgba(c, a=255):
    return (c[0], c[1], c[2], a)


class Canvas:
    def __init__(self, width, height, seed):
        self.w, self.h = width, height
        self.W, self.H = width * SS, height * SS
        self.img = Image.new("RGBA", (self.W, self.H), (0, 0, 0, 255))
        self.rng = random.Random(seed)

    # coordinates are fractions of the picture's width and height
    def x(self, f):
        return f * self.W

    def y(self, f):
        return f * self.H

    def p(self, fx, fy):
        return (fx * self.W, fy * self.H)

    def box(self, x0, y0, x1, y1):
        return [x0 * self.W, y0 * self.H, x1 * self.W, y1 * self.H]

    def s(self, px):
        """A length given in output pixels."""
        return px * SS

    def layer(self):
        return Image.new("RGBA", (self.W, self.H), (0, 0, 0, 0))

    def put(self, layer, blur=0):
        if blur:
            layer = layer.filter(ImageFilter.GaussianBlur(blur * SS))
        self.img.alpha_composite(layer)

    def shapes(self, fn, blur=0):
        """Draw with fn(ImageDraw) on a transparent layer and composite it."""
        lay = self.layer()
        fn(ImageDraw.Draw(lay))
        self.put(lay, blur)

    def gradient(self, stops, y0=0.0, y1=1.0, x0=0.0, x1=1.0, horizontal=False, mask=None):
        bx = [int(self.x(x0)), int(self.y(y0)), int(self.x(x1)), int(self.y(y1))]
        w, h = max(1, bx[2] - bx[0]), max(1, bx[3] - bx[1])
        n = w if horizontal else h
        strip = Image.new("RGB", (n, 1) if horizontal else (1, n))
        px = strip.load()
        for i in range(n):
            col = ramp(stops, i / max(1, n - 1))
            px[(i, 0) if horizontal else (0, i)] = col
        g = strip.resize((w, h), Image.NEAREST).convert("RGBA")
        if mask is None:
            self.img.paste(g, (bx[0], bx[1]))
        else:
            full = self.layer()
            full.paste(g, (bx[0], bx[1]))
            lay = self.layer()
            lay.paste(full, (0, 0), mask)
            self.img.alpha_composite(lay)

    def poly_mask(self, points):
        m = Image.new("L", (self.W, self.H), 0)
        ImageDraw.Draw(m).polygon(points, fill=255)
        return m

    def glow(self, fx, fy, fr, color, alpha=200, blur=None):
        r = self.x(fr)
        cx, cy = self.p(fx, fy)
        self.shapes(
            lambda d: d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=rgba(color, alpha)),
            blur=blur if blur is not None else fr * self.w * 0.6,
        )

    def ridge(self, base, amp, color, waves=5, alpha=255, bottom=1.0, seed_shift=0, blur=0):
        rng = random.Random(self.rng.random() + seed_shift)
        comps = []
        for k in range(waves):
            comps.append((amp / (1.4 ** k), (k + 1) * rng.uniform(0.7, 1.6), rng.uniform(0, 2 * math.pi)))
        pts = [(0, self.y(bottom))]
        step = self.W / 240
        for i in range(241):
            xx = i * step
            yy = base + sum(a * math.sin(f * 2 * math.pi * xx / self.W + ph) for a, f, ph in comps)
            pts.append((xx, self.y(yy)))
        pts.append((self.W, self.y(bottom)))
        self.shapes(lambda d: d.polygon(pts, fill=rgba(color, alpha)), blur=blur)
        return pts

    def treeline(self, base, height, color, density=90, alpha=255, blur=0):
        rng = self.rng
        def fn(d):
            d.rectangle(self.box(0, base, 1, base + 0.03), fill=rgba(color, alpha))
            for _ in range(density):
                fx = rng.uniform(-0.02, 1.02)
                r = rng.uniform(0.4, 1.0) * height
                top = base - r * rng.uniform(0.6, 1.2)
                d.ellipse([self.x(fx) - self.y(r) * 0.9, self.y(top), self.x(fx) + self.y(r) * 0.9,
                           self.y(base + 0.02)], fill=rgba(color, alpha))
        self.shapes(fn, blur=blur)

    def water(self, y0, y1, top, bottom, ripple_light, ripple_dark, n=260):
        self.gradient([(0, top), (1, bottom)], y0=y0, y1=y1)
        rng = self.rng
        def fn(d):
            for _ in range(n):
                t = rng.random() ** 1.6
                yy = y0 + (y1 - y0) * t
                ln = (0.01 + 0.08 * t) * rng.uniform(0.4, 1.4)
                xx = rng.uniform(-0.05, 1.0)
                col = ripple_light if rng.random() < 0.55 else ripple_dark
                wdt = max(1, int(self.s(1 + 3 * t)))
                d.line([self.p(xx, yy), self.p(xx + ln, yy)], fill=rgba(col, int(50 + 90 * t)), width=wdt)
        self.shapes(fn, blur=0.6)

    def sun_path(self, fx, y0, y1, color, spread=0.05, n=70):
        rng = self.rng
        def fn(d):
            for _ in range(n):
                t = rng.random()
                yy = y0 + (y1 - y0) * t
                half = spread * (0.3 + t) * rng.uniform(0.3, 1.0)
                d.line([self.p(fx - half, yy), self.p(fx + half, yy)], fill=rgba(color, int(120 * (1 - t) + 40)),
                       width=int(self.s(2 + 2 * t)))
        self.shapes(fn, blur=1)

    def round_tree(self, fx, fbase, fh, color, trunk=(70, 55, 45), blossom=None):
        rng = self.rng
        def fn(d):
            tw = self.y(fh) * 0.06
            cx, by = self.x(fx), self.y(fbase)
            d.rectangle([cx - tw / 2, by - self.y(fh) * 0.45, cx + tw / 2, by], fill=rgba(trunk))
            r = self.y(fh) * 0.32
            cy = by - self.y(fh) * 0.62
            for _ in range(9):
                ox, oy = rng.uniform(-r, r) * 0.9, rng.uniform(-r, r) * 0.7
                rr = r * rng.uniform(0.55, 0.85)
                shade = mix(color, (0, 0, 0), rng.uniform(0, 0.25)) if oy > 0 else mix(color, (255, 255, 220), rng.uniform(0, 0.15))
                d.ellipse([cx + ox - rr, cy + oy - rr, cx + ox + rr, cy + oy + rr], fill=rgba(shade))
            if blossom:
                for _ in range(60):
                    ox, oy = rng.uniform(-1.2, 1.2) * r, rng.uniform(-1, 0.9) * r
                    if ox * ox + oy * oy < (1.3 * r) ** 2:
                        rr = self.s(rng.uniform(2, 5))
                        d.ellipse([cx + ox - rr, cy + oy - rr, cx + ox + rr, cy + oy + rr], fill=rgba(blossom, 230))
        self.shapes(fn)

    def bricks(self, x0, y0, x1, y1, base, mortar, bw=56, bh=20, jitter=18):
        rng = self.rng
        self.shapes(lambda d: d.rectangle(self.box(x0, y0, x1, y1), fill=rgba(mortar)))
        def fn(d):
            X0, Y0, X1, Y1 = self.box(x0, y0, x1, y1)
            row = 0
            yy = Y0
            while yy < Y1:
                xx = X0 - (bw * SS / 2 if row % 2 else 0)
                while xx < X1:
                    j = rng.randint(-jitter, jitter)
                    col = tuple(max(0, min(255, v + j)) for v in base)
                    d.rectangle([max(X0, xx + SS), yy + SS, min(X1, xx + bw * SS - SS), min(Y1, yy + bh * SS - SS)],
                                fill=rgba(col))
                    xx += bw * SS
                yy += bh * SS
                row += 1
        self.shapes(fn)

    def vignette(self, strength=110):
        m = Image.new("L", (self.W, self.H), 255)
        ImageDraw.Draw(m).ellipse(self.box(0.06, 0.04, 0.94, 0.96), fill=0)
        m = m.filter(ImageFilter.GaussianBlur(self.W * 0.08))
        m = m.point(lambda v: v * strength // 255)
        dark = Image.new("RGBA", (self.W, self.H), (10, 12, 20, 255))
        dark.putalpha(m)
        self.img.alpha_composite(dark)

    def mist(self, y0, y1, color=(235, 235, 240), alpha=150):
        lay = self.layer()
        d = ImageDraw.Draw(lay)
        Y0, Y1 = self.y(y0), self.y(y1)
        n = int(Y1 - Y0)
        for i in range(n):
            t = i / max(1, n - 1)
            a = int(alpha * math.sin(math.pi * t))
            d.line([(0, Y0 + i), (self.W, Y0 + i)], fill=rgba(color, a))
        self.put(lay, blur=6)

    def finish(self, vignette=90):
        if vignette:
            self.vignette(vignette)
        out = self.img.convert("RGB").resize((self.w, self.h), Image.LANCZOS)
        return out


# --------------------------------------------------------------------------- scenes


def draw_ferry_boat(c, fx, wl, length, livery=(150, 38, 38)):
    """A small double-ended car ferry seen from the side; wl is the waterline."""
    x0, x1 = fx - length / 2, fx + length / 2
    hh = length * 0.055 * c.W / c.H  # hull height, as a fraction of H
    def fn(d):
        # shadow/reflection
        d.rectangle(c.box(x0 + 0.01, wl, x1 - 0.01, wl + hh * 1.3), fill=(20, 30, 40, 90))
        d.polygon([c.p(x0, wl - hh), c.p(x1, wl - hh), c.p(x1 - 0.015, wl + hh * 0.25),
                   c.p(x0 + 0.015, wl + hh * 0.25)], fill=rgba(livery))
        d.rectangle(c.box(x0 + 0.002, wl - hh * 1.25, x1 - 0.002, wl - hh * 0.95), fill=(238, 236, 228, 255))
        d.rectangle(c.box(x0 + 0.004, wl - hh * 0.55, x1 - 0.004, wl - hh * 0.45), fill=(245, 243, 235, 255))
        # car deck rail and cabin
        d.rectangle(c.box(x0 + length * 0.22, wl - hh * 2.6, x1 - length * 0.22, wl - hh * 1.25),
                    fill=(236, 234, 226, 255))
        n = 9
        for i in range(n):
            wx0 = x0 + length * 0.24 + i * (length * 0.52 / n)
            d.rectangle(c.box(wx0, wl - hh * 2.25, wx0 + length * 0.52 / n * 0.7, wl - hh * 1.75),
                        fill=(44, 62, 82, 255))
        # wheelhouse and mast
        d.rectangle(c.box(fx - length * 0.09, wl - hh * 3.6, fx + length * 0.09, wl - hh * 2.6),
                    fill=(244, 242, 236, 255))
        d.rectangle(c.box(fx - length * 0.08, wl - hh * 3.35, fx + length * 0.08, wl - hh * 3.0),
                    fill=(36, 52, 70, 255))
        d.rectangle(c.box(fx - length * 0.1, wl - hh * 3.75, fx + length * 0.1, wl - hh * 3.6),
                    fill=rgba(livery))
        d.line([c.p(fx, wl - hh * 3.75), c.p(fx, wl - hh * 5.2)], fill=(60, 60, 60, 255), width=int(c.s(2)))
        # railings along car deck
        for i in range(40):
            rx = x0 + 0.006 + i * (length - 0.012) / 39
            d.line([c.p(rx, wl - hh * 1.25), c.p(rx, wl - hh * 1.6)], fill=(230, 230, 225, 200), width=int(c.s(1)))
        d.line([c.p(x0 + 0.004, wl - hh * 1.6), c.p(x1 - 0.004, wl - hh * 1.6)], fill=(230, 230, 225, 230),
               width=int(c.s(2)))
        # a few cars on deck
        cols = [(70, 110, 160), (200, 200, 205), (160, 60, 50), (60, 60, 70)]
        for i, cx in enumerate([x0 + length * 0.07, x0 + length * 0.15, x1 - length * 0.17, x1 - length * 0.09]):
            d.rounded_rectangle(c.box(cx - 0.025, wl - hh * 2.0, cx + 0.025, wl - hh * 1.3),
                                radius=c.s(6), fill=rgba(cols[i % 4]))
    c.shapes(fn)


def scene_ferry(c):
    hz = 0.5
    c.gradient([(0, (84, 136, 198)), (0.7, (180, 208, 228)), (1, (226, 232, 230))], 0, hz)
    c.glow(0.8, 0.2, 0.09, (255, 240, 200), alpha=200)
    c.glow(0.8, 0.2, 0.03, (255, 250, 232), alpha=255, blur=6)
    c.ridge(hz - 0.1, 0.04, (130, 150, 170), alpha=255, bottom=hz + 0.01)
    c.treeline(hz - 0.01, 0.04, (66, 92, 84))
    c.water(hz, 1.0, (140, 170, 190), (38, 70, 92), (210, 225, 235), (30, 55, 75))
    c.sun_path(0.8, hz + 0.01, 0.9, (255, 244, 210), spread=0.05)
    # landing pilings on the right bank
    def landing(d):
        d.polygon([c.p(0.86, hz - 0.01), c.p(1.0, hz - 0.03), c.p(1.0, hz + 0.06), c.p(0.9, hz + 0.035)],
                  fill=(96, 84, 70, 255))
        for i in range(6):
            px = 0.87 + i * 0.022
            d.rectangle(c.box(px, hz - 0.05, px + 0.007, hz + 0.07 + i * 0.004), fill=(58, 46, 38, 255))
    c.shapes(landing)
    # wake behind the boat
    def wake(d):
        for i in range(30):
            t = i / 29
            xx = 0.62 + t * 0.34
            d.ellipse(c.box(xx - 0.02, 0.655 + t * 0.01, xx + 0.03 + t * 0.03, 0.672 + t * 0.02),
                      outline=(235, 242, 245, int(170 * (1 - t))), width=int(c.s(2)))
    c.shapes(wake, blur=1)
    draw_ferry_boat(c, 0.42, 0.66, 0.42)
    return c.finish()


def scene_ice(c):
    hz = 0.46
    c.gradient([(0, (118, 128, 142)), (1, (200, 204, 206))], 0, hz)
    c.ridge(hz - 0.07, 0.03, (150, 156, 164), bottom=hz + 0.01)
    c.treeline(hz - 0.005, 0.035, (88, 96, 98))
    # the old mill on the left bank
    def mill(d):
        d.rectangle(c.box(0.04, hz - 0.2, 0.2, hz + 0.02), fill=(120, 70, 56, 255))
        d.polygon([c.p(0.03, hz - 0.2), c.p(0.12, hz - 0.28), c.p(0.21, hz - 0.2)], fill=(70, 66, 70, 255))
        for r in range(3):
            for k in range(4):
                d.rectangle(c.box(0.055 + k * 0.037, hz - 0.17 + r * 0.06, 0.075 + k * 0.037, hz - 0.13 + r * 0.06),
                            fill=(50, 46, 50, 255))
    c.shapes(mill)
    c.water(hz, 1.0, (150, 160, 166), (66, 78, 86), (214, 220, 224), (50, 60, 66))
    # the dam: a low weir with white water
    def dam(d):
        d.rectangle(c.box(0.0, hz + 0.05, 1.0, hz + 0.075), fill=(110, 112, 112, 255))
        for i in range(140):
            xx = i / 139
            d.ellipse(c.box(xx - 0.01, hz + 0.07, xx + 0.012, hz + 0.1), fill=(236, 240, 242, 170))
    c.shapes(dam, blur=1)
    rng = c.rng
    def floes(d):
        for _ in range(110):
            t = rng.random() ** 0.8
            cy = hz + 0.12 + t * 0.85
            cx = rng.uniform(-0.05, 1.05)
            rx = (0.015 + 0.08 * t) * rng.uniform(0.5, 1.3)
            ry = rx * rng.uniform(0.18, 0.32) * c.W / c.H
            pts = []
            k = rng.randint(5, 8)
            for i in range(k):
                a = 2 * math.pi * i / k + rng.uniform(-0.3, 0.3)
                rr = rng.uniform(0.7, 1.1)
                pts.append(c.p(cx + rx * rr * math.cos(a), cy + ry * rr * math.sin(a)))
            shade = rng.randint(0, 24)
            d.polygon([(px, py + c.s(4)) for px, py in pts], fill=(40, 50, 58, 120))
            d.polygon(pts, fill=(232 - shade, 238 - shade, 242 - shade // 2, 255))
    c.shapes(floes)
    return c.finish()


def scene_rowing(c, race=False):
    hz = 0.44 if race else 0.5
    if race:
        c.gradient([(0, (64, 124, 200)), (1, (188, 214, 236))], 0, hz)
        c.ridge(hz - 0.08, 0.035, (112, 140, 160), bottom=hz + 0.01)
        c.treeline(hz - 0.005, 0.035, (52, 86, 66))
        c.water(hz, 1.0, (110, 150, 180), (32, 70, 110), (214, 230, 240), (24, 50, 80))
    else:
        c.gradient([(0, (92, 98, 140)), (0.55, (214, 170, 164)), (1, (248, 214, 182))], 0, hz)
        c.glow(0.3, hz - 0.05, 0.06, (255, 226, 180), alpha=220)
        c.ridge(hz - 0.07, 0.03, (150, 130, 150), bottom=hz + 0.01)
        c.treeline(hz - 0.005, 0.035, (96, 88, 104))
        c.water(hz, 1.0, (230, 196, 180), (78, 84, 118), (250, 226, 200), (70, 70, 100))
        c.sun_path(0.3, hz + 0.01, 0.8, (255, 220, 180), spread=0.04)
        c.mist(hz - 0.08, hz + 0.12, color=(244, 226, 222), alpha=170)

    def shell(fx0, fx1, wl, jersey, oar_blade, scale=1.0):
        def fn(d):
            hh = 0.008 * scale
            d.polygon([c.p(fx0, wl), c.p(fx0 + 0.05 * scale, wl - hh), c.p(fx1 - 0.05 * scale, wl - hh),
                       c.p(fx1, wl), c.p(fx1 - 0.05 * scale, wl + hh * 0.6), c.p(fx0 + 0.05 * scale, wl + hh * 0.6)],
                      fill=(238, 232, 214, 255))
            d.line([c.p(fx0 + 0.01, wl + hh * 0.2), c.p(fx1 - 0.01, wl + hh * 0.2)], fill=(40, 40, 48, 255),
                   width=int(c.s(1.5 * scale)))
            d.rectangle(c.box(fx0 + 0.04 * scale, wl + hh * 0.6, fx1 - 0.04 * scale, wl + hh * 2.2),
                        fill=(20, 30, 40, 70))
            n = 8
            span = (fx1 - fx0) - 0.16 * scale
            for i in range(n + 1):
                rx = fx0 + 0.06 * scale + i * span / n
                if i == n:  # coxswain, facing the other way, smaller
                    d.ellipse(c.box(rx - 0.006 * scale, wl - 0.045 * scale, rx + 0.006 * scale, wl - 0.027 * scale),
                              fill=(60, 44, 40, 255))
                    d.rounded_rectangle(c.box(rx - 0.008 * scale, wl - 0.03 * scale, rx + 0.008 * scale, wl - 0.004),
                                        radius=c.s(3), fill=(40, 40, 46, 255))
                    continue
                lean = 0.006 * scale
                d.polygon([c.p(rx - 0.007 * scale, wl - hh), c.p(rx + 0.007 * scale, wl - hh),
                           c.p(rx + 0.006 * scale + lean, wl - 0.05 * scale),
                           c.p(rx - 0.006 * scale + lean, wl - 0.05 * scale)], fill=rgba(jersey))
                d.ellipse(c.box(rx - 0.0065 * scale + lean, wl - 0.07 * scale, rx + 0.0065 * scale + lean,
                                wl - 0.05 * scale), fill=(92, 64, 52, 255))
                # oar: from the hands down to the water, blade ahead
                hx, hy = rx + lean + 0.008 * scale, wl - 0.03 * scale
                bx, by = rx - 0.055 * scale, wl + 0.05 * scale
                d.line([c.p(hx, hy), c.p(bx, by)], fill=(30, 30, 34, 255), width=int(c.s(2 * scale)))
                d.polygon([c.p(bx, by), c.p(bx - 0.012 * scale, by + 0.006 * scale),
                           c.p(bx - 0.015 * scale, by + 0.018 * scale), c.p(bx + 0.002, by + 0.012 * scale)],
                          fill=rgba(oar_blade))
                d.ellipse(c.box(bx - 0.022 * scale, by + 0.012 * scale, bx + 0.01 * scale, by + 0.024 * scale),
                          fill=(240, 246, 250, 150))
        c.shapes(fn)

    if race:
        def buoys(d):
            for lane in (0.58, 0.7, 0.86):
                for i in range(14):
                    t = i / 13
                    xx = -0.05 + t * 1.1
                    r = 0.003 + 0.004 * (lane - 0.5) * 4
                    d.ellipse(c.box(xx - r, lane - r * 1.5, xx + r, lane + r * 1.5), fill=(240, 120, 30, 255))
        c.shapes(buoys)
        shell(0.5, 0.86, 0.655, (200, 46, 50), (200, 46, 50), scale=0.75)
        shell(0.08, 0.68, 0.8, (26, 58, 128), (240, 240, 240), scale=1.2)
    else:
        shell(0.16, 0.84, 0.7, (28, 60, 120), (240, 240, 240), scale=1.2)
    return c.finish()


def scene_chamber(c):
    c.gradient([(0, (74, 46, 32)), (0.5, (118, 78, 52)), (1, (70, 44, 30))], 0, 1, horizontal=True)
    def panels(d):
        for i in range(14):
            xx = i / 13
            d.line([c.p(xx, 0.15), c.p(xx, 0.75)], fill=(40, 24, 16, 150), width=int(c.s(3)))
            d.line([c.p(xx + 0.004, 0.15), c.p(xx + 0.004, 0.75)], fill=(170, 120, 80, 60), width=int(c.s(2)))
        d.rectangle(c.box(0, 0, 1, 0.15), fill=(36, 28, 26, 255))
        d.rectangle(c.box(0, 0.145, 1, 0.16), fill=(150, 110, 60, 255))
    c.shapes(panels)
    # the city seal
    def seal(d):
        cx, cy, r = 0.5, 0.31, 0.075
        R = c.x(r)
        X, Y = c.p(cx, cy)
        d.ellipse([X - R, Y - R, X + R, Y + R], fill=(196, 160, 80, 255))
        d.ellipse([X - R * 0.86, Y - R * 0.86, X + R * 0.86, Y + R * 0.86], fill=(28, 48, 92, 255))
        d.ellipse([X - R * 0.8, Y - R * 0.8, X + R * 0.8, Y + R * 0.8], outline=(196, 160, 80, 255),
                  width=int(c.s(2)))
        for k in range(3):
            pts = [(X - R * 0.6 + i * R * 1.2 / 20, Y + R * (0.05 + 0.18 * k) + R * 0.08 * math.sin(i / 20 * 4 * math.pi))
                   for i in range(21)]
            d.line(pts, fill=(120, 170, 210, 255), width=int(c.s(3)))
        d.polygon([(X - R * 0.35, Y - R * 0.05), (X + R * 0.35, Y - R * 0.05), (X, Y - R * 0.55)],
                  fill=(196, 160, 80, 255))
    c.shapes(seal)
    # pendant lights
    for fx in (0.14, 0.32, 0.68, 0.86):
        c.glow(fx, 0.2, 0.06, (255, 214, 150), alpha=120)
        c.shapes(lambda d, fx=fx: (
            d.line([c.p(fx, 0.0), c.p(fx, 0.17)], fill=(20, 20, 20, 255), width=int(c.s(2))),
            d.polygon([c.p(fx - 0.02, 0.2), c.p(fx + 0.02, 0.2), c.p(fx + 0.01, 0.17), c.p(fx - 0.01, 0.17)],
                      fill=(60, 50, 40, 255)),
            d.ellipse(c.box(fx - 0.012, 0.19, fx + 0.012, 0.215), fill=(255, 240, 200, 255)),
        ))
    # high-backed chairs behind the dais
    def chairs(d):
        for i in range(7):
            t = i / 6
            fx = 0.14 + t * 0.72
            fy = 0.44 + 0.05 * math.sin(math.pi * t)
            d.rounded_rectangle(c.box(fx - 0.035, fy, fx + 0.035, fy + 0.14), radius=c.s(14), fill=(46, 30, 28, 255))
            d.rounded_rectangle(c.box(fx - 0.028, fy + 0.01, fx + 0.028, fy + 0.12), radius=c.s(10),
                                fill=(86, 34, 34, 255))
    c.shapes(chairs)
    # curved dais
    top = [c.p(0.02 + i / 60 * 0.96, 0.56 + 0.07 * math.sin(math.pi * i / 60)) for i in range(61)]
    bot = [c.p(0.02 + i / 60 * 0.96, 0.76 + 0.09 * math.sin(math.pi * i / 60)) for i in range(61)]
    mask = c.poly_mask(top + bot[::-1])
    c.gradient([(0, (150, 100, 62)), (1, (84, 52, 32))], 0.55, 0.86, mask=mask)
    def dais(d):
        d.line(top, fill=(200, 150, 96, 255), width=int(c.s(5)))
        for i in range(7):
            t = i / 6
            fx = 0.14 + t * 0.72
            fy = 0.56 + 0.07 * math.sin(math.pi * (fx - 0.02) / 0.96)
            d.line([c.p(fx + 0.012, fy), c.p(fx + 0.02, fy - 0.06)], fill=(20, 20, 20, 255), width=int(c.s(2)))
            d.ellipse(c.box(fx + 0.016, fy - 0.068, fx + 0.026, fy - 0.055), fill=(30, 30, 30, 255))
            d.rectangle(c.box(fx - 0.03, fy + 0.035, fx + 0.03, fy + 0.06), fill=(222, 206, 170, 255))
            d.rectangle(c.box(fx - 0.024, fy + 0.044, fx + 0.024, fy + 0.05), fill=(90, 80, 66, 255))
    c.shapes(dais)
    # the backs of the public's chairs, out of focus
    def audience(d):
        for i in range(9):
            fx = -0.04 + i * 0.14
            d.rounded_rectangle(c.box(fx, 0.86, fx + 0.11, 1.05), radius=c.s(18), fill=(24, 20, 22, 255))
        for fx, s in ((0.3, 1.0), (0.62, 0.9)):
            d.ellipse(c.box(fx - 0.045 * s, 0.7, fx + 0.045 * s, 0.84), fill=(30, 24, 24, 255))
            d.rounded_rectangle(c.box(fx - 0.09 * s, 0.8, fx + 0.09 * s, 1.05), radius=c.s(40), fill=(34, 30, 40, 255))
    c.shapes(audience, blur=5)
    return c.finish(vignette=120)


def scene_storefront(c, kind):
    bakery = kind == "bakery"
    brick = (150, 72, 52) if bakery else (120, 96, 80)
    c.bricks(0, 0, 1, 0.9, brick, (96, 84, 76), jitter=16)
    if bakery:  # blue hour: darken the facade
        c.shapes(lambda d: d.rectangle(c.box(0, 0, 1, 1), fill=(20, 26, 60, 120)))
    # sign board
    board = (34, 52, 46) if bakery else (30, 40, 70)
    def sign(d):
        d.rectangle(c.box(0.06, 0.06, 0.94, 0.2), fill=rgba(board))
        d.rectangle(c.box(0.075, 0.075, 0.925, 0.185), outline=(204, 170, 96, 255), width=int(c.s(3)))
        if bakery:
            for k in range(3):
                cx = 0.44 + k * 0.06
                d.ellipse(c.box(cx - 0.025, 0.105, cx + 0.025, 0.155), fill=(214, 170, 96, 255))
                d.arc(c.box(cx - 0.015, 0.115, cx + 0.015, 0.15), 200, 340, fill=(120, 80, 40, 255),
                      width=int(c.s(2)))
        else:
            # a hammer and a wrench, crossed
            X, Y = c.p(0.5, 0.13)
            L = c.x(0.05)
            d.line([(X - L, Y - L * 0.5), (X + L, Y + L * 0.5)], fill=(214, 180, 110, 255), width=int(c.s(6)))
            d.line([(X - L, Y + L * 0.5), (X + L, Y - L * 0.5)], fill=(214, 180, 110, 255), width=int(c.s(6)))
            d.rectangle([X + L - c.s(10), Y - L * 0.5 - c.s(16), X + L + c.s(10), Y - L * 0.5 + c.s(6)],
                        fill=(214, 180, 110, 255))
    c.shapes(sign)
    # window and door
    win = (0.1, 0.4, 0.6, 0.82)
    door = (0.68, 0.36, 0.84, 0.86)
    if bakery:
        c.gradient([(0, (255, 214, 140)), (1, (214, 128, 60))], win[1], win[3], win[0], win[2])
        c.gradient([(0, (255, 206, 130)), (1, (200, 120, 60))], door[1], door[1] + 0.2, door[0] + 0.02, door[2] - 0.02)
    else:
        c.gradient([(0, (170, 190, 196)), (1, (90, 104, 110))], win[1], win[3], win[0], win[2])
        c.gradient([(0, (150, 170, 176)), (1, (80, 94, 100))], door[1], door[1] + 0.2, door[0] + 0.02, door[2] - 0.02)
    rng = c.rng
    def goods(d):
        for s in range(3):
            sy = win[1] + 0.13 + s * 0.12
            d.rectangle(c.box(win[0], sy, win[2], sy + 0.01), fill=(110, 70, 40, 255) if bakery else (70, 70, 74, 255))
            xx = win[0] + 0.015
            while xx < win[2] - 0.05:
                if bakery:
                    w = rng.uniform(0.035, 0.06)
                    col = mix((196, 120, 50), (130, 70, 30), rng.random())
                    d.ellipse(c.box(xx, sy - 0.045, xx + w, sy + 0.004), fill=rgba(col))
                    d.arc(c.box(xx + w * 0.2, sy - 0.04, xx + w * 0.8, sy - 0.01), 200, 340, fill=(240, 200, 140, 255),
                          width=int(c.s(2)))
                    xx += w + 0.008
                else:
                    w = rng.uniform(0.018, 0.03)
                    col = rng.choice([(200, 60, 40), (230, 200, 60), (60, 120, 180), (220, 220, 220), (60, 140, 80)])
                    d.rectangle(c.box(xx, sy - rng.uniform(0.04, 0.07), xx + w, sy), fill=rgba(col))
                    xx += w + 0.006
        if not bakery:  # a paper notice taped in the window
            d.polygon([c.p(0.36, 0.44), c.p(0.52, 0.43), c.p(0.53, 0.6), c.p(0.37, 0.61)], fill=(250, 234, 120, 255))
            for k in range(5):
                d.line([c.p(0.38, 0.47 + k * 0.025), c.p(0.5 + (k % 2) * 0.01, 0.465 + k * 0.025)],
                       fill=(180, 40, 40, 255), width=int(c.s(5 if k == 0 else 2)))
        d.rectangle(c.box(*win), outline=(236, 230, 214, 255), width=int(c.s(8)))
        d.line([c.p((win[0] + win[2]) / 2, win[1]), c.p((win[0] + win[2]) / 2, win[3])], fill=(236, 230, 214, 255),
               width=int(c.s(6)))
        d.rectangle(c.box(*door), outline=(236, 230, 214, 255), width=int(c.s(8)))
        d.rectangle(c.box(door[0] + 0.02, door[1] + 0.24, door[2] - 0.02, door[3] - 0.03),
                    fill=(60, 90, 80, 255) if bakery else (40, 60, 100, 255))
        d.ellipse(c.box(door[0] + 0.02, 0.64, door[0] + 0.03, 0.655), fill=(214, 180, 100, 255))
        d.rectangle(c.box(0.0, 0.86, 1.0, 0.9), fill=(150, 146, 140, 255))
    c.shapes(goods)
    # awning with stripes and scallops
    a = (214, 96, 70) if bakery else (40, 110, 70)
    b = (240, 232, 214)
    def awning(d):
        n = 14
        for i in range(n):
            t0, t1 = i / n, (i + 1) / n
            top0, top1 = 0.08 + 0.84 * t0, 0.08 + 0.84 * t1
            bot0, bot1 = 0.04 + 0.92 * t0, 0.04 + 0.92 * t1
            col = a if i % 2 == 0 else b
            d.polygon([c.p(top0, 0.25), c.p(top1, 0.25), c.p(bot1, 0.35), c.p(bot0, 0.35)], fill=rgba(col))
            d.pieslice(c.box(bot0, 0.33, bot1, 0.37), 0, 180, fill=rgba(col))
        d.rectangle(c.box(0.04, 0.37, 0.96, 0.4), fill=(0, 0, 0, 70))
    c.shapes(awning)
    # sidewalk
    c.gradient([(0, (120, 120, 124)), (1, (80, 80, 86))], 0.9, 1.0)
    if bakery:
        c.glow(0.35, 0.95, 0.2, (255, 190, 110), alpha=90)
        c.glow(0.35, 0.6, 0.25, (255, 200, 120), alpha=50)
    return c.finish()


def scene_school(c):
    c.gradient([(0, (90, 150, 214)), (1, (200, 224, 240))], 0, 0.6)
    c.gradient([(0, (120, 160, 80)), (1, (70, 110, 50))], 0.6, 1.0)
    c.ridge(0.56, 0.02, (150, 170, 190), bottom=0.62)
    c.bricks(0.08, 0.36, 0.92, 0.78, (160, 80, 60), (190, 180, 170), bw=40, bh=14, jitter=14)
    c.bricks(0.42, 0.16, 0.58, 0.78, (150, 74, 56), (190, 180, 170), bw=40, bh=14, jitter=14)
    def fn(d):
        d.rectangle(c.box(0.07, 0.33, 0.93, 0.37), fill=(220, 214, 200, 255))
        d.polygon([c.p(0.41, 0.17), c.p(0.5, 0.07), c.p(0.59, 0.17)], fill=(70, 80, 90, 255))
        X, Y = c.p(0.5, 0.24)
        R = c.x(0.035)
        d.ellipse([X - R, Y - R, X + R, Y + R], fill=(245, 242, 232, 255), outline=(40, 40, 40, 255), width=int(c.s(4)))
        for k in range(12):
            a = k * math.pi / 6
            d.line([(X + R * 0.8 * math.cos(a), Y + R * 0.8 * math.sin(a)), (X + R * 0.9 * math.cos(a),
                    Y + R * 0.9 * math.sin(a))], fill=(40, 40, 40, 255), width=int(c.s(2)))
        d.line([(X, Y), (X + R * 0.45 * math.cos(-2.1), Y + R * 0.45 * math.sin(-2.1))], fill=(20, 20, 20, 255),
               width=int(c.s(4)))
        d.line([(X, Y), (X + R * 0.7 * math.cos(-0.45), Y + R * 0.7 * math.sin(-0.45))], fill=(20, 20, 20, 255),
               width=int(c.s(3)))
        for row in range(2):
            for k in range(12):
                fx = 0.1 + k * 0.07
                if 0.4 < fx + 0.02 < 0.6:
                    continue
                fy = 0.42 + row * 0.15
                d.rectangle(c.box(fx, fy, fx + 0.04, fy + 0.1), fill=(236, 232, 222, 255))
                d.rectangle(c.box(fx + 0.004, fy + 0.006, fx + 0.036, fy + 0.094), fill=(70, 100, 130, 255))
                d.line([c.p(fx + 0.02, fy), c.p(fx + 0.02, fy + 0.1)], fill=(236, 232, 222, 255), width=int(c.s(3)))
        d.rectangle(c.box(0.46, 0.62, 0.54, 0.78), fill=(236, 232, 222, 255))
        d.rectangle(c.box(0.47, 0.635, 0.53, 0.78), fill=(60, 50, 50, 255))
        for s in range(3):
            d.rectangle(c.box(0.44 - s * 0.01, 0.78 + s * 0.015, 0.56 + s * 0.01, 0.795 + s * 0.015),
                        fill=(200 - s * 12, 196 - s * 12, 190 - s * 12, 255))
        d.polygon([c.p(0.5, 1.0), c.p(0.47, 0.825), c.p(0.53, 0.825), c.p(0.62, 1.0)], fill=(200, 194, 180, 255))
        d.line([c.p(0.2, 0.82), c.p(0.2, 0.3)], fill=(200, 200, 205, 255), width=int(c.s(4)))
    c.shapes(fn)
    c.round_tree(0.04, 0.82, 0.42, (70, 120, 60))
    c.round_tree(0.95, 0.84, 0.46, (60, 110, 56))
    c.round_tree(0.8, 0.8, 0.3, (84, 130, 66))
    return c.finish()


def scene_library(c):
    c.gradient([(0, (70, 120, 190)), (1, (196, 216, 232))], 0, 0.82)
    stone = (214, 202, 176)
    c.shapes(lambda d: d.rectangle(c.box(0.02, 0.26, 0.98, 0.86), fill=rgba(mix(stone, (0, 0, 0), 0.1))))
    # portico, darker behind the columns
    c.gradient([(0, (70, 62, 56)), (1, (40, 36, 34))], 0.36, 0.82, 0.1, 0.9)
    def facade(d):
        d.polygon([c.p(0.04, 0.26), c.p(0.5, 0.12), c.p(0.96, 0.26)], fill=rgba(stone))
        d.polygon([c.p(0.12, 0.245), c.p(0.5, 0.15), c.p(0.88, 0.245)], fill=rgba(mix(stone, (0, 0, 0), 0.12)))
        X, Y = c.p(0.5, 0.205)
        R = c.x(0.05)
        d.ellipse([X - R, Y - R, X + R, Y + R], fill=rgba(mix(stone, (255, 255, 255), 0.3)),
                  outline=rgba(mix(stone, (0, 0, 0), 0.3)), width=int(c.s(3)))
        d.rectangle(c.box(0.03, 0.26, 0.97, 0.3), fill=rgba(stone))
        d.rectangle(c.box(0.03, 0.3, 0.97, 0.36), fill=rgba(mix(stone, (255, 255, 255), 0.15)))
        d.line([c.p(0.03, 0.36), c.p(0.97, 0.36)], fill=rgba(mix(stone, (0, 0, 0), 0.35)), width=int(c.s(3)))
        # door and lit arched window behind the columns
        d.rectangle(c.box(0.42, 0.58, 0.58, 0.82), fill=(30, 24, 20, 255))
        d.pieslice(c.box(0.42, 0.52, 0.58, 0.64), 180, 360, fill=(30, 24, 20, 255))
        d.rectangle(c.box(0.44, 0.6, 0.56, 0.82), fill=(120, 80, 40, 255))
        for k, fx in enumerate((0.2, 0.71)):
            d.rectangle(c.box(fx, 0.5, fx + 0.09, 0.72), fill=(220, 180, 110, 255))
            d.pieslice(c.box(fx, 0.45, fx + 0.09, 0.55), 180, 360, fill=(220, 180, 110, 255))
            d.line([c.p(fx + 0.045, 0.45), c.p(fx + 0.045, 0.72)], fill=(60, 50, 44, 255), width=int(c.s(2)))
        # columns
        for k in range(6):
            fx = 0.1 + k * 0.16
            d.rectangle(c.box(fx - 0.035, 0.36, fx + 0.035, 0.38), fill=rgba(stone))
            d.rectangle(c.box(fx - 0.03, 0.38, fx + 0.03, 0.8), fill=rgba(mix(stone, (255, 255, 255), 0.1)))
            d.rectangle(c.box(fx + 0.01, 0.38, fx + 0.03, 0.8), fill=rgba(mix(stone, (0, 0, 0), 0.18)))
            for f in range(4):
                d.line([c.p(fx - 0.02 + f * 0.012, 0.39), c.p(fx - 0.02 + f * 0.012, 0.79)],
                       fill=rgba(mix(stone, (0, 0, 0), 0.25), 160), width=int(c.s(1)))
            d.rectangle(c.box(fx - 0.038, 0.8, fx + 0.038, 0.82), fill=rgba(stone))
        for s in range(6):
            col = mix(stone, (0, 0, 0), 0.05 + (s % 2) * 0.15)
            d.rectangle(c.box(0.0, 0.82 + s * 0.03, 1.0, 0.85 + s * 0.03), fill=rgba(col))
    c.shapes(facade)
    # scaffolding over the right-hand half
    def scaffold(d):
        pole = (120, 124, 130, 255)
        xs = [0.52, 0.66, 0.8, 0.94]
        for fx in xs:
            d.line([c.p(fx, 0.1), c.p(fx, 0.86)], fill=pole, width=int(c.s(5)))
        for fy in (0.14, 0.3, 0.46, 0.62, 0.78):
            d.line([c.p(0.5, fy), c.p(0.98, fy)], fill=pole, width=int(c.s(4)))
            d.rectangle(c.box(0.5, fy - 0.012, 0.98, fy), fill=(196, 140, 70, 255))
            d.rectangle(c.box(0.5, fy - 0.012, 0.98, fy - 0.009), fill=(220, 170, 100, 255))
        for i in range(len(xs) - 1):
            for j, (ya, yb) in enumerate(((0.14, 0.3), (0.3, 0.46), (0.46, 0.62), (0.62, 0.78))):
                if (i + j) % 2:
                    d.line([c.p(xs[i], ya), c.p(xs[i + 1], yb)], fill=pole, width=int(c.s(3)))
                else:
                    d.line([c.p(xs[i], yb), c.p(xs[i + 1], ya)], fill=pole, width=int(c.s(3)))
        d.rectangle(c.box(0.66, 0.15, 0.98, 0.45), fill=(40, 120, 110, 90))
    c.shapes(scaffold)
    return c.finish()


def scene_rain(c):
    hz = 0.48
    c.gradient([(0, (54, 60, 72)), (1, (126, 132, 138))], 0, hz)
    c.ridge(hz - 0.06, 0.02, (96, 104, 112), bottom=hz + 0.01, blur=3)
    c.treeline(hz - 0.005, 0.05, (56, 66, 64), blur=2)
    c.water(hz, 1.0, (120, 110, 92), (70, 60, 48), (160, 150, 130), (50, 42, 34), n=200)
    rng = c.rng
    def rings(d):
        for _ in range(160):
            t = rng.random()
            cy = hz + 0.05 + t * 0.9
            cx = rng.random()
            rx = 0.004 + 0.02 * t
            d.ellipse(c.box(cx - rx, cy - rx * 0.25, cx + rx, cy + rx * 0.25), outline=(200, 200, 196, 110),
                      width=int(c.s(1.5)))
    c.shapes(rings)
    # a lamp post on the near bank
    def lamp(d):
        d.polygon([c.p(0, 0.8), c.p(0.3, 0.86), c.p(0.34, 1.0), c.p(0, 1.0)], fill=(48, 50, 46, 255))
        d.rectangle(c.box(0.12, 0.3, 0.128, 0.86), fill=(24, 26, 28, 255))
        d.polygon([c.p(0.105, 0.3), c.p(0.143, 0.3), c.p(0.136, 0.26), c.p(0.112, 0.26)], fill=(24, 26, 28, 255))
    c.shapes(lamp)
    c.glow(0.124, 0.3, 0.06, (255, 210, 140), alpha=150)
    c.glow(0.124, 0.3, 0.012, (255, 236, 200), alpha=255, blur=2)
    def streaks(d):
        for _ in range(1400):
            x0, y0 = rng.uniform(-0.1, 1.0), rng.uniform(-0.05, 1.0)
            ln = rng.uniform(0.02, 0.06)
            d.line([c.p(x0, y0), c.p(x0 + ln * 0.25, y0 + ln * c.W / c.H)], fill=(220, 224, 230, rng.randint(40, 90)),
                   width=int(c.s(1)))
    c.shapes(streaks, blur=0.5)
    return c.finish(vignette=120)


def scene_bridge(c):
    hz = 0.55
    c.gradient([(0, (30, 40, 86)), (0.6, (170, 90, 100)), (1, (246, 168, 100))], 0, hz)
    c.ridge(hz - 0.06, 0.03, (80, 60, 90), bottom=hz + 0.01)
    c.water(hz, 1.0, (200, 130, 110), (24, 30, 60), (250, 190, 140), (20, 24, 50))
    deck = 0.47
    def bridge(d):
        col = (26, 26, 40, 255)
        for fx in (0.18, 0.5, 0.82):
            d.rectangle(c.box(fx - 0.015, deck, fx + 0.015, hz + 0.04), fill=col)
        d.rectangle(c.box(-0.01, deck - 0.012, 1.01, deck + 0.012), fill=col)
        top = deck - 0.1
        n = 24
        for i in range(n):
            xa, xb = -0.02 + i * 1.04 / n, -0.02 + (i + 1) * 1.04 / n
            d.line([c.p(xa, top), c.p(xb, top)], fill=col, width=int(c.s(6)))
            d.line([c.p(xa, top), c.p(xa, deck)], fill=col, width=int(c.s(3)))
            if i % 2:
                d.line([c.p(xa, top), c.p(xb, deck)], fill=col, width=int(c.s(3)))
            else:
                d.line([c.p(xa, deck), c.p(xb, top)], fill=col, width=int(c.s(3)))
    c.shapes(bridge)
    rng = c.rng
    lights = []
    for i in range(12):
        fx = rng.uniform(0.03, 0.97)
        lights.append((fx, (255, 80, 60) if i % 2 else (255, 240, 200)))
    for fx, col in lights:
        c.glow(fx, deck - 0.016, 0.012, col, alpha=255, blur=4)
        c.shapes(lambda d, fx=fx, col=col: d.line([c.p(fx, hz + 0.02), c.p(fx, hz + 0.25)], fill=rgba(col, 90),
                                                  width=int(c.s(4))), blur=6)
    return c.finish()


def scene_sugarhouse(c):
    c.gradient([(0, (170, 196, 220)), (1, (230, 236, 240))], 0, 0.55)
    c.gradient([(0, (236, 240, 246)), (1, (186, 198, 214))], 0.55, 1.0)
    rng = c.rng
    def trunks(d, near):
        for _ in range(12 if near else 60):
            fx = rng.uniform(-0.02, 1.02)
            if near and 0.3 < fx < 0.76:  # keep the sugarhouse in view
                fx = fx - 0.3 if fx < 0.53 else fx + 0.26
            w = rng.uniform(0.012, 0.03) if near else rng.uniform(0.003, 0.009)
            base = rng.uniform(0.82, 0.98) if near else rng.uniform(0.55, 0.62)
            col = (70, 62, 58) if near else (140, 140, 148)
            d.polygon([c.p(fx - w, base), c.p(fx + w, base), c.p(fx + w * 0.5, 0), c.p(fx - w * 0.5, 0)],
                      fill=rgba(col))
            for _b in range(3):
                by = rng.uniform(0.05, base - 0.25)
                dx = rng.choice((-1, 1)) * rng.uniform(0.03, 0.08)
                d.line([c.p(fx, by), c.p(fx + dx, by - 0.08)], fill=rgba(col), width=int(c.s(2 if near else 1)))
            if near and rng.random() < 0.7:
                by = base - 0.2
                d.rectangle(c.box(fx - 0.012, by, fx + 0.012, by + 0.035), fill=(170, 176, 184, 255))
                d.polygon([c.p(fx - 0.014, by), c.p(fx + 0.014, by), c.p(fx, by - 0.012)], fill=(130, 136, 146, 255))
    c.shapes(lambda d: trunks(d, False), blur=2)
    # the sugarhouse
    def house(d):
        d.rectangle(c.box(0.36, 0.42, 0.7, 0.66), fill=(110, 66, 44, 255))
        for k in range(16):
            fx = 0.36 + k * 0.34 / 16
            d.line([c.p(fx, 0.42), c.p(fx, 0.66)], fill=(80, 48, 32, 255), width=int(c.s(2)))
        d.polygon([c.p(0.33, 0.43), c.p(0.53, 0.3), c.p(0.73, 0.43)], fill=(60, 56, 60, 255))
        d.polygon([c.p(0.345, 0.425), c.p(0.53, 0.305), c.p(0.715, 0.425), c.p(0.53, 0.33)], fill=(246, 248, 252, 255))
        d.rectangle(c.box(0.49, 0.24, 0.57, 0.33), fill=(110, 66, 44, 255))
        d.polygon([c.p(0.475, 0.245), c.p(0.53, 0.2), c.p(0.585, 0.245)], fill=(60, 56, 60, 255))
        d.rectangle(c.box(0.42, 0.5, 0.48, 0.58), fill=(255, 200, 120, 255))
        d.rectangle(c.box(0.58, 0.5, 0.64, 0.66), fill=(60, 40, 30, 255))
    c.shapes(house)
    def steam(d):
        for i in range(26):
            t = i / 25
            r = 0.03 + t * 0.07
            fx = 0.53 + math.sin(t * 3) * 0.05 + t * 0.08
            fy = 0.22 - t * 0.3
            d.ellipse(c.box(fx - r, fy - r * 1.2, fx + r, fy + r * 1.2), fill=(255, 255, 255, int(140 * (1 - t)) + 20))
    c.shapes(steam, blur=14)
    c.shapes(lambda d: trunks(d, True))
    return c.finish(vignette=70)


def scene_highwater(c):
    hz = 0.45
    c.gradient([(0, (80, 130, 190)), (1, (196, 210, 220))], 0, hz)
    rng = c.rng
    def clouds(d):
        for _ in range(40):
            cx, cy = rng.uniform(-0.1, 1.1), rng.uniform(0.02, 0.3)
            rx, ry = rng.uniform(0.04, 0.12), rng.uniform(0.02, 0.06)
            g = rng.randint(200, 250)
            d.ellipse(c.box(cx - rx, cy - ry, cx + rx, cy + ry), fill=(g, g, g + 4 if g < 251 else 255, 200))
    c.shapes(clouds, blur=12)
    def town(d):
        xx = 0.0
        while xx < 1.0:
            w = rng.uniform(0.05, 0.1)
            h = rng.uniform(0.06, 0.16)
            col = rng.choice([(170, 90, 70), (200, 190, 170), (120, 130, 150), (150, 110, 90), (220, 214, 196)])
            d.rectangle(c.box(xx, hz - h, xx + w, hz + 0.01), fill=rgba(col))
            d.polygon([c.p(xx - 0.005, hz - h), c.p(xx + w / 2, hz - h - 0.04), c.p(xx + w + 0.005, hz - h)],
                      fill=(70, 66, 70, 255))
            for r in range(int(h / 0.04)):
                for k in range(int(w / 0.025)):
                    d.rectangle(c.box(xx + 0.008 + k * 0.025, hz - h + 0.015 + r * 0.04, xx + 0.02 + k * 0.025,
                                      hz - h + 0.035 + r * 0.04), fill=(60, 70, 84, 255))
            xx += w + 0.004
    c.shapes(town)
    c.water(hz + 0.01, 1.0, (130, 116, 90), (92, 78, 56), (186, 176, 150), (60, 50, 36))
    # sandbag wall along the near bank
    def bags(d):
        for row in range(5):
            fy = 0.93 - row * 0.045
            off = 0.04 if row % 2 else 0.0
            for k in range(16):
                fx = -0.04 + off + k * 0.08
                col = mix((196, 174, 130), (150, 130, 92), rng.random())
                d.rounded_rectangle(c.box(fx, fy, fx + 0.078, fy + 0.06), radius=c.s(22), fill=(90, 76, 56, 255))
                d.rounded_rectangle(c.box(fx + 0.002, fy, fx + 0.076, fy + 0.054), radius=c.s(20), fill=rgba(col))
                d.line([c.p(fx + 0.015, fy + 0.015), c.p(fx + 0.06, fy + 0.015)],
                       fill=rgba(mix(col, (255, 255, 255), 0.25)), width=int(c.s(3)))
        d.rectangle(c.box(0, 0.97, 1, 1), fill=(84, 78, 70, 255))
    c.shapes(bags)
    return c.finish()


def scene_buses(c):
    hz = 0.5
    c.gradient([(0, (60, 80, 130)), (0.6, (230, 160, 120)), (1, (250, 210, 160))], 0, hz)
    c.treeline(hz - 0.01, 0.05, (44, 50, 60))
    c.gradient([(0, (70, 70, 80)), (1, (40, 40, 48))], hz, 1.0)
    def lines(d):
        for k in range(-3, 10):
            d.line([c.p(0.1 * k, 1.0), c.p(0.1 * k + 0.25, hz)], fill=(220, 220, 200, 120), width=int(c.s(4)))
    c.shapes(lines)
    def bus(fx, fy, s):
        def fn(d):
            w, h = 0.5 * s, 0.2 * s * c.W / c.H
            d.ellipse(c.box(fx - 0.02, fy + h * 0.92, fx + w + 0.03, fy + h * 1.12), fill=(10, 10, 14, 120))
            d.rounded_rectangle(c.box(fx, fy, fx + w, fy + h), radius=c.s(26 * s), fill=(244, 184, 30, 255))
            d.rectangle(c.box(fx, fy + h * 0.56, fx + w, fy + h * 0.6), fill=(30, 30, 30, 255))
            d.rectangle(c.box(fx, fy + h * 0.72, fx + w, fy + h * 0.75), fill=(30, 30, 30, 255))
            n = 8
            for i in range(n):
                wx = fx + w * 0.2 + i * w * 0.72 / n
                d.rounded_rectangle(c.box(wx, fy + h * 0.12, wx + w * 0.72 / n * 0.8, fy + h * 0.45),
                                    radius=c.s(4), fill=(60, 70, 90, 255))
                d.line([c.p(wx + 0.004, fy + h * 0.14), c.p(wx + w * 0.72 / n * 0.6, fy + h * 0.14)],
                       fill=(250, 200, 160, 200), width=int(c.s(2)))
            d.rectangle(c.box(fx + w * 0.04, fy + h * 0.12, fx + w * 0.16, fy + h * 0.85), fill=(40, 50, 66, 255))
            for wx in (fx + w * 0.22, fx + w * 0.8):
                r = h * 0.16
                d.ellipse(c.box(wx - r * c.H / c.W, fy + h * 0.86 - r, wx + r * c.H / c.W, fy + h * 0.86 + r),
                          fill=(20, 20, 22, 255))
                d.ellipse(c.box(wx - r * 0.4 * c.H / c.W, fy + h * 0.86 - r * 0.4, wx + r * 0.4 * c.H / c.W,
                                fy + h * 0.86 + r * 0.4), fill=(150, 150, 150, 255))
            d.ellipse(c.box(fx + 0.004, fy + h * 0.62, fx + 0.016, fy + h * 0.7), fill=(255, 250, 220, 255))
        c.shapes(fn)
    bus(0.5, 0.48, 0.6)
    bus(0.3, 0.52, 0.8)
    bus(0.04, 0.58, 1.0)
    return c.finish()


def scene_capsule(c):
    c.gradient([(0, (220, 210, 190)), (1, (180, 168, 150))], 0, 0.86)
    c.gradient([(0, (110, 96, 80)), (1, (70, 60, 50))], 0.86, 1.0)
    c.bricks(0.3, 0.28, 0.74, 0.74, (150, 80, 60), (110, 100, 90), bw=44, bh=16)
    c.shapes(lambda d: d.rectangle(c.box(0.36, 0.36, 0.68, 0.68), fill=(30, 24, 20, 255)))
    rng = c.rng
    def box(d):
        d.polygon([c.p(0.4, 0.48), c.p(0.62, 0.48), c.p(0.66, 0.44), c.p(0.44, 0.44)], fill=(200, 130, 80, 255))
        d.rectangle(c.box(0.4, 0.48, 0.62, 0.66), fill=(170, 100, 58, 255))
        d.polygon([c.p(0.62, 0.48), c.p(0.66, 0.44), c.p(0.66, 0.62), c.p(0.62, 0.66)], fill=(120, 70, 40, 255))
        d.line([c.p(0.4, 0.51), c.p(0.62, 0.51)], fill=(110, 60, 34, 255), width=int(c.s(3)))
        for _ in range(26):
            fx, fy = rng.uniform(0.41, 0.61), rng.uniform(0.5, 0.65)
            r = rng.uniform(0.004, 0.012)
            d.ellipse(c.box(fx - r, fy - r, fx + r, fy + r), fill=(70, 150, 130, 160))
        d.rectangle(c.box(0.48, 0.55, 0.54, 0.59), fill=(210, 190, 140, 255))
    c.shapes(box)
    # broken plaster edges and rubble
    def edges(d):
        for _ in range(60):
            side = rng.random()
            fx = 0.3 + side * 0.44
            fy = rng.choice((0.28, 0.74)) + rng.uniform(-0.01, 0.01)
            r = rng.uniform(0.006, 0.02)
            d.ellipse(c.box(fx - r, fy - r, fx + r, fy + r), fill=(224, 214, 194, 255))
        for _ in range(70):
            fx, fy = rng.uniform(0.2, 0.85), rng.uniform(0.88, 0.99)
            r = rng.uniform(0.004, 0.016)
            g = rng.randint(140, 220)
            d.ellipse(c.box(fx - r, fy - r * 0.7, fx + r, fy + r * 0.7), fill=(g, g - 10, g - 24, 255))
    c.shapes(edges)
    c.glow(0.15, 0.1, 0.25, (255, 230, 190), alpha=110)
    return c.finish(vignette=130)


def _item(c, w, h, draw, angle, center, shadow=True):
    """Draw an object on its own small image, rotate it and place it with a soft shadow."""
    W, H = int(c.x(w)), int(c.y(h))
    im = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    draw(ImageDraw.Draw(im), W, H)
    im = im.rotate(angle, resample=Image.BICUBIC, expand=True)
    cx, cy = c.p(*center)
    pos = (int(cx - im.width / 2), int(cy - im.height / 2))
    if shadow:
        sh = Image.new("RGBA", im.size, (20, 12, 6, 0))
        sh.putalpha(im.getchannel("A").point(lambda v: v * 110 // 255))
        lay = c.layer()
        lay.paste(sh, (pos[0] + int(c.s(8)), pos[1] + int(c.s(10))), sh)
        c.put(lay, blur=6)
    lay = c.layer()
    lay.paste(im, pos, im)
    c.put(lay)


def scene_tabletop(c):
    c.gradient([(0, (130, 84, 50)), (1, (96, 60, 36))], 0, 1)
    rng = c.rng
    def grain(d):
        for k in range(7):
            d.line([c.p(0, k / 7), c.p(1, k / 7)], fill=(60, 36, 20, 200), width=int(c.s(3)))
        for _ in range(240):
            fy = rng.random()
            fx = rng.uniform(-0.1, 1)
            d.line([c.p(fx, fy), c.p(fx + rng.uniform(0.1, 0.4), fy + rng.uniform(-0.003, 0.003))],
                   fill=(150, 100, 64, 70) if rng.random() < 0.5 else (70, 42, 24, 70), width=int(c.s(1.5)))
    c.shapes(grain)

    def paper(d, W, H):
        d.rectangle([0, 0, W, H], fill=(226, 214, 184, 255))
        d.rectangle([W * 0.06, H * 0.05, W * 0.94, H * 0.13], fill=(50, 44, 40, 255))
        d.line([(W * 0.06, H * 0.16), (W * 0.94, H * 0.16)], fill=(80, 70, 60, 255), width=int(c.s(2)))
        for col in range(3):
            x0 = W * (0.06 + col * 0.3)
            for r in range(26):
                yy = H * (0.2 + r * 0.028)
                d.line([(x0, yy), (x0 + W * (0.26 - 0.04 * (r % 5 == 4)), yy)], fill=(120, 110, 96, 255),
                       width=int(c.s(2)))
        d.rectangle([W * 0.36, H * 0.2, W * 0.64, H * 0.42], fill=(150, 140, 120, 255))

    def photo(d, W, H):
        d.rectangle([0, 0, W, H], fill=(244, 238, 224, 255))
        d.rectangle([W * 0.07, H * 0.07, W * 0.93, H * 0.8], fill=(160, 120, 80, 255))
        d.rectangle([W * 0.07, H * 0.5, W * 0.93, H * 0.8], fill=(120, 86, 56, 255))
        for k in range(5):
            fx = 0.2 + k * 0.15
            d.ellipse([W * (fx - 0.04), H * 0.3, W * (fx + 0.04), H * 0.4], fill=(70, 50, 36, 255))
            d.rectangle([W * (fx - 0.06), H * 0.4, W * (fx + 0.06), H * 0.62], fill=(70, 50, 36, 255))

    def envelope(d, W, H):
        d.rectangle([0, 0, W, H], fill=(236, 226, 200, 255))
        d.line([(0, 0), (W / 2, H * 0.55), (W, 0)], fill=(190, 176, 150, 255), width=int(c.s(3)))
        d.rectangle([W * 0.78, H * 0.08, W * 0.94, H * 0.34], fill=(170, 50, 50, 255))
        for r in range(3):
            d.line([(W * 0.3, H * (0.62 + r * 0.09)), (W * 0.72, H * (0.62 + r * 0.09))], fill=(70, 60, 90, 255),
                   width=int(c.s(2)))

    def pennant(d, W, H):
        d.polygon([(0, 0), (W, H / 2), (0, H)], fill=(120, 30, 40, 255))
        d.polygon([(0, H * 0.38), (W * 0.55, H * 0.47), (W * 0.55, H * 0.53), (0, H * 0.62)], fill=(240, 230, 210, 255))
        d.rectangle([0, 0, W * 0.05, H], fill=(230, 220, 200, 255))

    def key(d, W, H):
        r = H * 0.45
        d.ellipse([0, H / 2 - r, 2 * r, H / 2 + r], fill=(190, 150, 70, 255))
        d.ellipse([r * 0.5, H / 2 - r * 0.5, r * 1.5, H / 2 + r * 0.5], fill=(0, 0, 0, 0))
        d.rectangle([2 * r - 2, H * 0.42, W, H * 0.58], fill=(190, 150, 70, 255))
        d.rectangle([W * 0.8, H * 0.58, W * 0.86, H * 0.85], fill=(190, 150, 70, 255))
        d.rectangle([W * 0.9, H * 0.58, W * 0.96, H * 0.78], fill=(190, 150, 70, 255))

    def coin(col):
        def fn(d, W, H):
            d.ellipse([0, 0, W, H], fill=rgba(mix(col, (0, 0, 0), 0.25)))
            d.ellipse([W * 0.06, H * 0.06, W * 0.94, H * 0.94], fill=rgba(col))
            d.ellipse([W * 0.2, H * 0.2, W * 0.8, H * 0.8], outline=rgba(mix(col, (0, 0, 0), 0.2)), width=int(c.s(2)))
        return fn

    _item(c, 0.5, 0.62, paper, 8, (0.33, 0.38))
    _item(c, 0.3, 0.36, photo, -12, (0.74, 0.3))
    _item(c, 0.36, 0.22, envelope, 6, (0.7, 0.72))
    _item(c, 0.34, 0.14, pennant, -28, (0.26, 0.82))
    _item(c, 0.16, 0.05, key, 35, (0.5, 0.66))
    for col, pos in (((200, 170, 90), (0.52, 0.86)), ((196, 196, 200), (0.58, 0.9)),
                                    ((176, 110, 70), (0.47, 0.93))):
        _item(c, 0.06, 0.06, coin(col), 0, pos)
    c.glow(0.3, 0.2, 0.35, (255, 236, 200), alpha=60)
    return c.finish(vignette=120)


def scene_drydock(c):
    c.gradient([(0, (120, 160, 200)), (1, (214, 220, 222))], 0, 0.62)
    c.ridge(0.54, 0.03, (150, 160, 170), bottom=0.63)
    c.gradient([(0, (150, 150, 146)), (1, (96, 96, 94))], 0.62, 1.0)
    # crane
    def crane(d):
        col = (220, 170, 40, 255)
        xa, xb = 0.8, 0.84
        d.line([c.p(xa, 0.7), c.p(xa, 0.06)], fill=col, width=int(c.s(5)))
        d.line([c.p(xb, 0.7), c.p(xb, 0.06)], fill=col, width=int(c.s(5)))
        for k in range(20):
            y0, y1 = 0.7 - k * 0.032, 0.7 - (k + 1) * 0.032
            d.line([c.p(xa, y0), c.p(xb, y1)] if k % 2 else [c.p(xb, y0), c.p(xa, y1)], fill=col, width=int(c.s(2)))
        d.line([c.p(0.3, 0.08), c.p(0.92, 0.08)], fill=col, width=int(c.s(6)))
        d.line([c.p(0.3, 0.1), c.p(0.92, 0.1)], fill=col, width=int(c.s(3)))
        for k in range(24):
            xx = 0.3 + k * 0.026
            d.line([c.p(xx, 0.08), c.p(xx + 0.013, 0.1)], fill=col, width=int(c.s(2)))
        d.line([c.p(0.45, 0.1), c.p(0.45, 0.3)], fill=(40, 40, 40, 255), width=int(c.s(2)))
        d.polygon([c.p(0.44, 0.3), c.p(0.46, 0.3), c.p(0.455, 0.32), c.p(0.445, 0.32)], fill=(40, 40, 40, 255))
    c.shapes(crane)
    def hull(d):
        d.ellipse(c.box(0.06, 0.76, 0.8, 0.86), fill=(50, 50, 50, 90))
        for fx in (0.14, 0.28, 0.42, 0.56, 0.7):
            d.rectangle(c.box(fx - 0.025, 0.72, fx + 0.025, 0.8), fill=(110, 80, 56, 255))
        d.polygon([c.p(0.06, 0.46), c.p(0.8, 0.46), c.p(0.74, 0.72), c.p(0.12, 0.72)], fill=(170, 52, 44, 255))
        d.polygon([c.p(0.06, 0.46), c.p(0.8, 0.46), c.p(0.78, 0.55), c.p(0.08, 0.55)], fill=(236, 234, 226, 255))
        d.line([c.p(0.08, 0.55), c.p(0.78, 0.55)], fill=(30, 30, 40, 255), width=int(c.s(6)))
        d.rectangle(c.box(0.22, 0.33, 0.64, 0.46), fill=(228, 226, 220, 255))
        for k in range(8):
            fx = 0.24 + k * 0.05
            d.rectangle(c.box(fx, 0.36, fx + 0.035, 0.41), fill=(44, 60, 80, 255))
        # scaffold and a tarp along the stern
        for fx in (0.62, 0.7, 0.78):
            d.line([c.p(fx, 0.4), c.p(fx, 0.8)], fill=(100, 104, 110, 255), width=int(c.s(4)))
        for fy in (0.5, 0.62, 0.74):
            d.line([c.p(0.6, fy), c.p(0.8, fy)], fill=(100, 104, 110, 255), width=int(c.s(3)))
        d.rectangle(c.box(0.64, 0.5, 0.72, 0.72), fill=(40, 90, 160, 200))
    c.shapes(hull)
    for fx, fy in ((0.35, 0.66), (0.37, 0.64)):
        c.glow(fx, fy, 0.02, (255, 200, 120), alpha=230, blur=5)
    rng = c.rng
    def sparks(d):
        for _ in range(40):
            a = rng.uniform(0.2, 2.9)
            r = rng.uniform(0.01, 0.06)
            x0, y0 = 0.36, 0.65
            d.line([c.p(x0, y0), c.p(x0 + r * math.cos(a), y0 + r * math.sin(a) * 1.5)], fill=(255, 220, 140, 220),
                   width=int(c.s(1.5)))
    c.shapes(sparks)
    return c.finish()


def scene_boathouse(c):
    hz = 0.56
    c.gradient([(0, (110, 160, 210)), (1, (226, 232, 228))], 0, hz)
    c.gradient([(0, (90, 120, 80)), (1, (70, 96, 62))], hz, hz + 0.06)
    c.treeline(hz - 0.04, 0.08, (56, 90, 66))
    def house(d):
        d.rectangle(c.box(0.14, 0.3, 0.86, hz + 0.02), fill=(46, 86, 70, 255))
        for k in range(40):
            fx = 0.14 + k * 0.72 / 40
            d.line([c.p(fx, 0.3), c.p(fx, hz + 0.02)], fill=(36, 70, 56, 255), width=int(c.s(2)))
        d.polygon([c.p(0.1, 0.31), c.p(0.5, 0.12), c.p(0.9, 0.31)], fill=(120, 56, 48, 255))
        d.polygon([c.p(0.12, 0.31), c.p(0.5, 0.135), c.p(0.88, 0.31), c.p(0.5, 0.16)], fill=(150, 70, 56, 255))
        d.ellipse(c.box(0.47, 0.19, 0.53, 0.26), fill=(240, 236, 226, 255))
        for bx in (0.2, 0.53):
            d.rectangle(c.box(bx, 0.36, bx + 0.27, hz + 0.02), fill=(34, 30, 28, 255))
            for r in range(4):
                fy = 0.39 + r * 0.045
                d.rectangle(c.box(bx + 0.01, fy, bx + 0.26, fy + 0.008), fill=(120, 100, 80, 255))
                d.polygon([c.p(bx + 0.012, fy - 0.004), c.p(bx + 0.03, fy - 0.012), c.p(bx + 0.24, fy - 0.012),
                           c.p(bx + 0.258, fy - 0.004)], fill=(236, 226, 190, 255) if r % 2 else (220, 200, 80, 255))
            d.rectangle(c.box(bx - 0.01, 0.35, bx + 0.28, 0.365), fill=(230, 226, 214, 255))
        d.rectangle(c.box(0.05, hz + 0.02, 0.95, hz + 0.05), fill=(130, 104, 80, 255))
        for k in range(12):
            fx = 0.06 + k * 0.08
            d.rectangle(c.box(fx, hz + 0.05, fx + 0.01, hz + 0.1), fill=(70, 56, 44, 255))
    c.shapes(house)
    c.water(hz + 0.05, 1.0, (120, 150, 150), (40, 66, 70), (200, 220, 220), (30, 50, 50))
    # the building's reflection
    def refl(d):
        d.rectangle(c.box(0.14, hz + 0.06, 0.86, hz + 0.3), fill=(46, 86, 70, 110))
        d.polygon([c.p(0.1, hz + 0.3), c.p(0.5, hz + 0.44), c.p(0.9, hz + 0.3)], fill=(120, 56, 48, 90))
    c.shapes(refl, blur=8)
    return c.finish()


def scene_loaves(c):
    c.gradient([(0, (60, 38, 26)), (1, (30, 20, 16))], 0, 1)
    c.glow(0.5, 0.3, 0.4, (200, 120, 60), alpha=80)
    rng = c.rng
    def rack(d):
        for s in range(3):
            fy = 0.3 + s * 0.28
            d.rectangle(c.box(0.02, fy, 0.98, fy + 0.03), fill=(150, 100, 60, 255))
            d.rectangle(c.box(0.02, fy + 0.03, 0.98, fy + 0.045), fill=(80, 50, 30, 255))
        for fx in (0.02, 0.96):
            d.rectangle(c.box(fx, 0.0, fx + 0.02, 1.0), fill=(110, 72, 44, 255))
    c.shapes(rack)
    def loaves(d):
        for s in range(3):
            fy = 0.3 + s * 0.28
            xx = 0.05
            while xx < 0.93:
                long = rng.random() < 0.35
                w = rng.uniform(0.14, 0.2) if long else rng.uniform(0.08, 0.11)
                h = 0.07 if long else rng.uniform(0.1, 0.14)
                if xx + w > 0.95:
                    break
                col = mix((214, 150, 70), (140, 80, 36), rng.random())
                d.ellipse(c.box(xx, fy - h, xx + w, fy + 0.01), fill=rgba(mix(col, (0, 0, 0), 0.3)))
                d.ellipse(c.box(xx + 0.004, fy - h + 0.004, xx + w - 0.004, fy + 0.004), fill=rgba(col))
                d.ellipse(c.box(xx + w * 0.2, fy - h + 0.01, xx + w * 0.7, fy - h * 0.5),
                          fill=rgba(mix(col, (255, 230, 180), 0.35), 180))
                cuts = 3 if long else 1
                for k in range(cuts):
                    cx = xx + w * (k + 1) / (cuts + 1)
                    d.arc(c.box(cx - w * 0.12, fy - h * 0.9, cx + w * 0.12, fy - h * 0.3), 220, 320,
                          fill=(250, 220, 170, 255), width=int(c.s(3)))
                xx += w + 0.012
    c.shapes(loaves)
    def flour(d):
        for _ in range(300):
            fx, fy = rng.random(), rng.random()
            r = c.s(rng.uniform(0.6, 2.2))
            X, Y = c.p(fx, fy)
            d.ellipse([X - r, Y - r, X + r, Y + r], fill=(255, 246, 230, rng.randint(40, 120)))
    c.shapes(flour, blur=0.8)
    return c.finish(vignette=130)


def scene_cityhall(c):
    c.gradient([(0, (26, 36, 80)), (0.7, (120, 80, 120)), (1, (230, 150, 110))], 0, 0.7)
    rng = c.rng
    c.shapes(lambda d: [d.ellipse(c.box(fx - 0.0015, fy - 0.002, fx + 0.0015, fy + 0.002), fill=(255, 255, 240, 200))
                        for fx, fy in ((rng.random(), rng.uniform(0.02, 0.25)) for _ in range(40))])
    c.gradient([(0, (70, 70, 80)), (1, (36, 36, 44))], 0.7, 1.0)
    stone = (188, 176, 160)
    def hall(d):
        d.rectangle(c.box(0.15, 0.38, 0.85, 0.72), fill=rgba(stone))
        d.rectangle(c.box(0.4, 0.3, 0.6, 0.38), fill=rgba(stone))
        d.rectangle(c.box(0.44, 0.2, 0.56, 0.3), fill=rgba(mix(stone, (255, 255, 255), 0.1)))
        d.pieslice(c.box(0.44, 0.12, 0.56, 0.28), 180, 360, fill=(90, 130, 120, 255))
        d.rectangle(c.box(0.494, 0.07, 0.506, 0.14), fill=(90, 130, 120, 255))
        for k in range(4):
            fx = 0.455 + k * 0.03
            d.rectangle(c.box(fx, 0.23, fx + 0.012, 0.28), fill=(255, 220, 150, 255))
        d.rectangle(c.box(0.14, 0.37, 0.86, 0.39), fill=rgba(mix(stone, (0, 0, 0), 0.2)))
        for r in range(2):
            for k in range(12):
                fx = 0.18 + k * 0.056
                fy = 0.43 + r * 0.13
                lit = rng.random() < 0.7
                d.rectangle(c.box(fx, fy, fx + 0.03, fy + 0.09), fill=(255, 214, 140, 255) if lit else (50, 56, 70, 255))
                d.line([c.p(fx + 0.015, fy), c.p(fx + 0.015, fy + 0.09)], fill=rgba(stone), width=int(c.s(2)))
        for s in range(4):
            d.rectangle(c.box(0.36 - s * 0.02, 0.72 + s * 0.015, 0.64 + s * 0.02, 0.735 + s * 0.015),
                        fill=rgba(mix(stone, (0, 0, 0), 0.3 + s * 0.08)))
    c.shapes(hall)
    c.glow(0.5, 0.55, 0.3, (255, 200, 130), alpha=40)
    for fx in (0.08, 0.3, 0.7, 0.92):
        c.shapes(lambda d, fx=fx: (d.rectangle(c.box(fx - 0.004, 0.5, fx + 0.004, 0.9), fill=(20, 20, 26, 255)),
                                   d.ellipse(c.box(fx - 0.012, 0.48, fx + 0.012, 0.515), fill=(255, 236, 190, 255))))
        c.glow(fx, 0.5, 0.04, (255, 210, 140), alpha=130)
    c.round_tree(0.02, 0.78, 0.5, (30, 36, 40), trunk=(20, 22, 26))
    c.round_tree(0.98, 0.8, 0.46, (30, 36, 40), trunk=(20, 22, 26))
    return c.finish()


def scene_stage(c):
    c.gradient([(0, (18, 14, 20)), (1, (30, 24, 30))], 0, 1)
    # painted backdrop: a river at dusk
    c.gradient([(0, (60, 70, 130)), (1, (240, 170, 120))], 0.18, 0.5, 0.2, 0.8)
    c.gradient([(0, (200, 140, 120)), (1, (60, 60, 100))], 0.5, 0.66, 0.2, 0.8)
    c.shapes(lambda d: d.polygon([c.p(0.2, 0.5), c.p(0.35, 0.42), c.p(0.5, 0.47), c.p(0.65, 0.4), c.p(0.8, 0.48),
                                  c.p(0.8, 0.5)], fill=(70, 60, 90, 255)))
    # stage floor
    mask = c.poly_mask([c.p(0.2, 0.66), c.p(0.8, 0.66), c.p(1.0, 0.84), c.p(0.0, 0.84)])
    c.gradient([(0, (90, 60, 40)), (1, (140, 96, 60))], 0.66, 0.84, mask=mask)
    # curtains
    def curtains(d):
        for side in (0, 1):
            for k in range(14):
                t = k / 13
                fx0 = (0.0 + t * 0.2) if side == 0 else (0.8 + t * 0.2)
                shade = 0.5 + 0.5 * math.sin(k * 1.7)
                col = mix((110, 16, 26), (200, 40, 50), shade)
                d.rectangle(c.box(fx0, 0.0, fx0 + 0.2 / 13 + 0.002, 0.84), fill=rgba(col))
        for k in range(30):
            fx0 = k / 30
            shade = 0.5 + 0.5 * math.sin(k * 1.3)
            col = mix((110, 16, 26), (190, 36, 46), shade)
            d.pieslice(c.box(fx0 - 0.005, 0.04, fx0 + 1 / 30 + 0.005, 0.2), 0, 180, fill=rgba(col))
        d.rectangle(c.box(0, 0.0, 1, 0.12), fill=(120, 20, 30, 255))
        d.rectangle(c.box(0, 0.1, 1, 0.12), fill=(200, 160, 80, 255))
    c.shapes(curtains)
    # spotlight
    c.shapes(lambda d: d.polygon([c.p(0.44, 0.0), c.p(0.56, 0.0), c.p(0.68, 0.78), c.p(0.36, 0.78)],
                                 fill=(255, 240, 200, 50)), blur=10)
    c.shapes(lambda d: d.ellipse(c.box(0.34, 0.72, 0.7, 0.82), fill=(255, 240, 210, 110)), blur=8)
    def actors(d):
        for fx, h, col in ((0.46, 0.28, (40, 50, 80)), (0.58, 0.24, (120, 90, 60))):
            d.ellipse(c.box(fx - 0.016, 0.77 - h, fx + 0.016, 0.77 - h + 0.05), fill=(220, 170, 140, 255))
            d.polygon([c.p(fx - 0.03, 0.77 - h + 0.05), c.p(fx + 0.03, 0.77 - h + 0.05), c.p(fx + 0.04, 0.77),
                       c.p(fx - 0.04, 0.77)], fill=rgba(col))
        d.line([c.p(0.6, 0.62), c.p(0.62, 0.56)], fill=(60, 50, 40, 255), width=int(c.s(3)))
        d.rectangle(c.box(0.61, 0.53, 0.635, 0.57), fill=(255, 220, 140, 255))
    c.shapes(actors)
    c.glow(0.62, 0.55, 0.03, (255, 220, 140), alpha=200)
    def heads(d):
        for row in range(2):
            for k in range(13):
                fx = -0.02 + k * 0.085 + row * 0.04
                fy = 0.9 + row * 0.07
                d.ellipse(c.box(fx, fy - 0.06, fx + 0.06, fy + 0.05), fill=(8, 6, 10, 255))
                d.rounded_rectangle(c.box(fx - 0.02, fy + 0.03, fx + 0.08, fy + 0.2), radius=c.s(20),
                                    fill=(8, 6, 10, 255))
    c.shapes(heads, blur=3)
    return c.finish(vignette=140)


def scene_path(c):
    hz = 0.46
    c.gradient([(0, (120, 170, 220)), (0.8, (236, 226, 200)), (1, (252, 236, 200))], 0, hz)
    c.glow(0.7, hz - 0.08, 0.1, (255, 240, 200), alpha=200)
    c.ridge(hz - 0.05, 0.03, (160, 170, 186), bottom=hz + 0.01)
    c.gradient([(0, (150, 190, 110)), (1, (80, 130, 60))], hz, 1.0)
    # river on the left
    mask = c.poly_mask([c.p(0, hz), c.p(0.55, hz), c.p(0.25, 0.7), c.p(0, 0.82)])
    c.gradient([(0, (200, 220, 230)), (1, (70, 110, 140))], hz, 0.82, mask=mask)
    # path
    left = [c.p(0.62 - t * 0.3 + 0.05 * math.sin(t * 3), hz + t * (1 - hz)) for t in (i / 30 for i in range(31))]
    right = [c.p(0.64 + t * 0.3 + 0.05 * math.sin(t * 3), hz + t * (1 - hz)) for t in (i / 30 for i in range(31))]
    mask = c.poly_mask(left + right[::-1])
    c.gradient([(0, (230, 214, 180)), (1, (190, 160, 120))], hz, 1.0, mask=mask)
    for fx, fb, fh, bl in ((0.88, 0.8, 0.6, (250, 220, 230)), (0.98, 0.98, 0.8, (250, 210, 220)),
                           (0.76, 0.62, 0.34, (240, 246, 220)), (0.7, 0.54, 0.2, (250, 220, 230)),
                           (0.12, 0.99, 0.75, (236, 246, 210))):
        c.round_tree(fx, fb, fh, (130, 170, 90), trunk=(80, 64, 52), blossom=bl)
    def bench(d):
        d.rectangle(c.box(0.36, 0.7, 0.5, 0.715), fill=(110, 76, 50, 255))
        d.rectangle(c.box(0.36, 0.66, 0.5, 0.675), fill=(110, 76, 50, 255))
        for fx in (0.37, 0.485):
            d.rectangle(c.box(fx, 0.66, fx + 0.006, 0.75), fill=(40, 40, 44, 255))
    c.shapes(bench)
    return c.finish(vignette=70)


def scene_skylight(c):
    vx = 0.5  # vanishing point of the floor boards
    # walls, ceiling, floor in one-point perspective
    back = (0.36, 0.32, 0.64, 0.6)
    def room(d):
        d.polygon([c.p(0, 0), c.p(1, 0), c.p(back[2], back[1]), c.p(back[0], back[1])], fill=(236, 232, 222, 255))
        d.polygon([c.p(0, 0), c.p(back[0], back[1]), c.p(back[0], back[3]), c.p(0, 1)], fill=(200, 190, 174, 255))
        d.polygon([c.p(1, 0), c.p(back[2], back[1]), c.p(back[2], back[3]), c.p(1, 1)], fill=(190, 180, 164, 255))
        d.polygon([c.p(0, 1), c.p(back[0], back[3]), c.p(back[2], back[3]), c.p(1, 1)], fill=(160, 116, 76, 255))
        d.rectangle(c.box(*back), fill=(214, 206, 190, 255))
        d.rectangle(c.box(0.46, 0.42, 0.54, 0.6), fill=(120, 86, 60, 255))
        # floor boards converge on the vanishing point
        for k in range(-8, 9):
            d.line([c.p(0.5 + k * 0.14, 1.0), c.p(vx + k * 0.0175, back[3])], fill=(120, 84, 54, 180), width=int(c.s(2)))
    c.shapes(room)
    rng = c.rng
    def shelves(d):
        for side in (0, 1):
            ex = 0.0 if side == 0 else 1.0
            bx = back[0] if side == 0 else back[2]
            for s in range(7):
                t = 0.12 + s * 0.12
                y_near = t * 1.0
                y_far = back[1] + t * (back[3] - back[1])
                yn2 = (t + 0.12)
                yf2 = back[1] + (t + 0.12) * (back[3] - back[1])
                # books between shelf s and s+1
                n = 26
                for i in range(n):
                    u0, u1 = i / n, (i + 0.8) / n
                    def at(u, yn, yf):
                        return (ex + (bx - ex) * u, yn + (yf - yn) * u)
                    p0 = at(u0, yn2 - 0.01, yf2 - 0.003)
                    p1 = at(u1, yn2 - 0.01, yf2 - 0.003)
                    hgt = rng.uniform(0.6, 0.95)
                    p2 = at(u1, yn2 - 0.01 - 0.12 * hgt, yf2 - 0.003 - 0.12 * (back[3] - back[1]) * hgt)
                    p3 = at(u0, yn2 - 0.01 - 0.12 * hgt, yf2 - 0.003 - 0.12 * (back[3] - back[1]) * hgt)
                    col = rng.choice([(140, 40, 40), (40, 70, 120), (50, 100, 70), (200, 170, 90), (90, 60, 100),
                                      (210, 200, 180), (160, 90, 50)])
                    d.polygon([c.p(*p0), c.p(*p1), c.p(*p2), c.p(*p3)], fill=rgba(col))
                d.polygon([c.p(ex, y_near), c.p(bx, y_far), c.p(bx, y_far + 0.004), c.p(ex, y_near + 0.015)],
                          fill=(120, 90, 60, 255))
    c.shapes(shelves)
    # skylight and its light
    c.shapes(lambda d: d.polygon([c.p(0.3, 0.04), c.p(0.7, 0.04), c.p(0.6, 0.2), c.p(0.4, 0.2)],
                                 fill=(206, 230, 250, 255)))
    c.shapes(lambda d: [d.line([c.p(0.3 + k * 0.08, 0.04), c.p(0.4 + k * 0.04, 0.2)], fill=(120, 130, 140, 255),
                               width=int(c.s(3))) for k in range(6)])
    c.shapes(lambda d: d.polygon([c.p(0.4, 0.2), c.p(0.6, 0.2), c.p(0.78, 0.95), c.p(0.3, 0.95)],
                                 fill=(255, 250, 230, 70)), blur=16)
    # reading tables
    def tables(d):
        for fy, w in ((0.8, 0.3), (0.66, 0.2)):
            d.polygon([c.p(0.5 - w, fy), c.p(0.5 + w, fy), c.p(0.5 + w * 0.8, fy - 0.05), c.p(0.5 - w * 0.8, fy - 0.05)],
                      fill=(110, 70, 40, 255))
            for fx in (0.5 - w * 0.9, 0.5 + w * 0.9):
                d.rectangle(c.box(fx - 0.006, fy, fx + 0.006, fy + 0.1 * (w / 0.3)), fill=(80, 52, 30, 255))
            for fx in (0.5 - w * 0.4, 0.5 + w * 0.4):
                d.ellipse(c.box(fx - 0.02 * w / 0.3, fy - 0.05, fx + 0.02 * w / 0.3, fy - 0.02), fill=(60, 120, 80, 255))
    c.shapes(tables)
    return c.finish(vignette=100)


def scene_oven(c):
    c.gradient([(0, (44, 30, 24)), (1, (22, 16, 14))], 0, 1)
    # the oven's brick face with an arched mouth
    c.bricks(0.12, 0.12, 0.88, 0.82, (120, 60, 40), (60, 40, 30), bw=48, bh=18, jitter=14)
    mask = c.poly_mask([c.p(0.32, 0.7), c.p(0.32, 0.46)] +
                       [c.p(0.5 - 0.18 * math.cos(math.pi * i / 30), 0.46 - 0.2 * math.sin(math.pi * i / 30))
                        for i in range(31)] + [c.p(0.68, 0.7)])
    c.gradient([(0, (255, 200, 90)), (0.6, (240, 110, 30)), (1, (120, 40, 10))], 0.26, 0.7, 0.3, 0.7, mask=mask)
    rng = c.rng
    def embers(d):
        for _ in range(80):
            fx, fy = rng.uniform(0.36, 0.64), rng.uniform(0.6, 0.69)
            r = rng.uniform(0.003, 0.01)
            d.ellipse(c.box(fx - r, fy - r, fx + r, fy + r), fill=(255, rng.randint(140, 240), 60, 255))
        for i in range(31):
            a = math.pi * i / 30
            d.line([c.p(0.5 - 0.18 * math.cos(a), 0.46 - 0.2 * math.sin(a)),
                    c.p(0.5 - 0.22 * math.cos(a), 0.46 - 0.25 * math.sin(a))], fill=(70, 40, 30, 255),
                   width=int(c.s(3)))
        d.rectangle(c.box(0.2, 0.7, 0.8, 0.74), fill=(150, 140, 130, 255))
    c.shapes(embers)
    c.glow(0.5, 0.55, 0.3, (255, 150, 60), alpha=90)
    # a peel with two loaves coming out
    def peel(d):
        d.line([c.p(0.58, 0.66), c.p(1.05, 0.98)], fill=(170, 120, 70, 255), width=int(c.s(12)))
        d.ellipse(c.box(0.4, 0.6, 0.62, 0.7), fill=(190, 140, 80, 255))
        for fx in (0.44, 0.52):
            d.ellipse(c.box(fx, 0.58, fx + 0.07, 0.655), fill=(170, 96, 40, 255))
            d.arc(c.box(fx + 0.015, 0.59, fx + 0.055, 0.64), 210, 330, fill=(250, 210, 150, 255), width=int(c.s(3)))
    c.shapes(peel)
    def flour(d):
        for _ in range(220):
            fx, fy = rng.random(), rng.random()
            r = c.s(rng.uniform(0.6, 2.0))
            X, Y = c.p(fx, fy)
            d.ellipse([X - r, Y - r, X + r, Y + r], fill=(255, 236, 210, rng.randint(30, 110)))
    c.shapes(flour, blur=0.8)
    return c.finish(vignette=140)


# --------------------------------------------------------------------------- the photo list

# (path under content/, width, height, seed, scene)
PHOTOS = [
    ("2026-03-02/council-chamber.jpg", 1200, 800, 101, scene_chamber),
    ("2026-03-02/ice-on-the-wendle.jpg", 1200, 800, 102, scene_ice),
    ("2026-03-02/crumb-and-kettle.jpg", 1200, 800, 103, lambda c: scene_storefront(c, "bakery")),
    ("2026-03-02/herons-first-water.jpg", 1200, 800, 104, scene_rowing),
    ("2026-03-03/ferry-constance.jpg", 1200, 800, 201, scene_ferry),
    ("2026-03-03/orchard-street-school.jpg", 1200, 800, 202, scene_school),
    ("2026-03-03/library-scaffolding.jpg", 800, 1100, 203, scene_library),
    ("2026-03-04/rain-on-the-wendle.jpg", 1200, 800, 301, scene_rain),
    ("2026-03-04/route-9-bridge.jpg", 1200, 800, 302, scene_bridge),
    ("2026-03-04/hollis-hardware.jpg", 1200, 800, 303, lambda c: scene_storefront(c, "hardware")),
    ("2026-03-04/fenwick-sugarhouse.jpg", 1200, 800, 304, scene_sugarhouse),
    ("2026-03-05/sandbags-front-street.jpg", 1200, 800, 401, scene_highwater),
    ("2026-03-05/school-buses.jpg", 1200, 800, 402, scene_buses),
    ("2026-03-05/time-capsule-wall.jpg", 1200, 800, 403, scene_capsule),
    ("2026-03-06/time-capsule-contents.jpg", 1000, 1000, 501, scene_tabletop),
    ("2026-03-06/constance-drydock.jpg", 1200, 800, 502, scene_drydock),
    ("2026-03-06/heron-boathouse.jpg", 1200, 800, 503, scene_boathouse),
    ("2026-03-06/bread-rack.jpg", 1200, 800, 504, scene_loaves),
    ("2026-03-08/herons-race.jpg", 1200, 800, 601, lambda c: scene_rowing(c, race=True)),
    ("2026-03-07/city-hall-dusk.jpg", 1200, 800, 602, scene_cityhall),
    ("2026-03-07/river-keepers-daughter.jpg", 1200, 800, 603, scene_stage),
    ("2026-03-08/river-path.jpg", 1200, 800, 701, scene_path),
    ("2026-03-08/reading-room-skylight.jpg", 1200, 900, 702, scene_skylight),
    ("2026-03-08/bakery-oven.jpg", 1200, 800, 703, scene_oven),
]


def main(argv):
    if "--list" in argv:
        for rel, w, h, _seed, _fn in PHOTOS:
            path = CONTENT / rel
            size = path.stat().st_size if path.exists() else 0
            print(f"{rel:45} {w}x{h} {size:>7} bytes")
        return 0
    wanted = [a for a in argv if not a.startswith("-")]
    for rel, w, h, seed, fn in PHOTOS:
        if wanted and not any(n in rel for n in wanted):
            continue
        img = fn(Canvas(w, h, seed))
        path = CONTENT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        q = QUALITY
        while True:
            # no exif= argument: the file gets a plain JFIF header and no metadata
            img.save(path, "JPEG", quality=q, optimize=True, progressive=False, subsampling="4:2:0")
            if path.stat().st_size <= MAX_BYTES or q <= 50:
                break
            q -= 5
        print(f"wrote content/{rel} ({w}x{h}, q{q}, {path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
