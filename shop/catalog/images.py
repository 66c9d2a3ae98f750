"""Placeholder product photos, drawn locally with Pillow (nothing is downloaded).

Each image is a 480x480 WebP: a soft two-tone backdrop tinted by the category, a pale disc,
a soft floor shadow and a simple silhouette of the kind of product (a tee, a boot, a lamp, a
tent...) in the product's colour, with its initials small in a corner. Shapes are described in
unit coordinates and drawn at twice the size, then scaled down, for smooth edges.
"""

from __future__ import annotations

import colorsys
import functools
import math
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from PIL import Image, ImageDraw, ImageFilter, ImageFont

if TYPE_CHECKING:
    from .demo import ProductSpec
    from .models import Product

SIZE = 480
SCALE = 2  # supersampling factor
QUALITY = 80
PRODUCTS_DIR = "products"

RGB = tuple[int, int, int]
Point = tuple[float, float]

# Backdrop hue (degrees) per top category; anything else gets a hue from its slug.
CATEGORY_HUES = {"clothing": 212, "footwear": 22, "home": 38, "outdoors": 135, "accessories": 335}

# Product colours for products without a colour option (stoneware, brass, canvas...).
NEUTRALS: tuple[RGB, ...] = (
    (226, 218, 203),  # cream
    (59, 74, 84),  # slate
    (184, 103, 74),  # terracotta
    (109, 127, 105),  # sage
    (181, 150, 86),  # brass
    (45, 47, 51),  # charcoal
    (150, 120, 90),  # walnut
    (70, 96, 130),  # denim
)


def _hls(hue: float, lightness: float, saturation: float) -> RGB:
    r, g, b = colorsys.hls_to_rgb((hue % 360) / 360, lightness, saturation)
    return round(r * 255), round(g * 255), round(b * 255)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _luma(c: RGB) -> float:
    return (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]) / 255


def _shade(c: RGB, amount: float = 0.22) -> RGB:
    """A detail colour: darker on light colours, lighter on dark ones."""
    if _luma(c) > 0.35:
        return _mix(c, (20, 20, 24), amount)
    return _mix(c, (255, 255, 255), amount + 0.05)


def _hash(text: str) -> int:
    return zlib.crc32(text.encode())


class Pen:
    """Draws in unit coordinates (0..1), optionally zoomed around a point and mirrored."""

    def __init__(
        self, draw: ImageDraw.ImageDraw, size: int, *, zoom=1.0, centre=(0.5, 0.5), mirror=False
    ) -> None:
        self.draw, self.size, self.zoom, self.centre, self.mirror = draw, size, zoom, centre, mirror

    def xy(self, x: float, y: float) -> tuple[float, float]:
        if self.mirror:
            x = 1 - x
        x = (x - self.centre[0]) * self.zoom + 0.5
        y = (y - self.centre[1]) * self.zoom + 0.5
        return x * self.size, y * self.size

    def box(self, x0: float, y0: float, x1: float, y1: float) -> list[float]:
        (a, b), (c, d) = self.xy(x0, y0), self.xy(x1, y1)
        return [min(a, c), min(b, d), max(a, c), max(b, d)]

    def px(self, length: float) -> int:
        return max(1, round(length * self.size * self.zoom))

    def poly(self, points: Iterable[Point], fill: RGB) -> None:
        self.draw.polygon([self.xy(x, y) for x, y in points], fill=fill)

    def ellipse(self, box, fill=None, outline=None, width=0.0) -> None:
        self.draw.ellipse(
            self.box(*box), fill=fill, outline=outline, width=self.px(width) if width else 0
        )

    def rect(self, box, fill, radius=0.0) -> None:
        self.draw.rounded_rectangle(self.box(*box), radius=self.px(radius), fill=fill)

    def line(self, points: Iterable[Point], fill: RGB, width: float, joint=True) -> None:
        self.draw.line(
            [self.xy(x, y) for x, y in points],
            fill=fill,
            width=self.px(width),
            joint="curve" if joint else None,
        )

    def _angles(self, start: float, end: float) -> tuple[float, float]:
        return (180 - end, 180 - start) if self.mirror else (start, end)

    def chord(self, box, start, end, fill) -> None:
        self.draw.chord(self.box(*box), *self._angles(start, end), fill=fill)

    def pieslice(self, box, start, end, fill) -> None:
        self.draw.pieslice(self.box(*box), *self._angles(start, end), fill=fill)

    def arc(self, box, start, end, fill, width) -> None:
        self.draw.arc(self.box(*box), *self._angles(start, end), fill=fill, width=self.px(width))


# --- Silhouettes. Each gets the pen, the product colour and a detail colour, and returns the
# extent of the object's base (left x, right x, bottom y), where its floor shadow goes.

Shape = Callable[[Pen, RGB, RGB], tuple[float, float, float]]


def _curve(start: Point, control: Point, end: Point, steps: int = 12) -> list[Point]:
    """Points along a quadratic Bezier curve."""
    points = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
        points.append(
            (a * start[0] + b * control[0] + c * end[0], a * start[1] + b * control[1] + c * end[1])
        )
    return points


def _top(p: Pen, c: RGB, d: RGB, *, long_sleeves: bool, hem: float = 0.78) -> None:
    """The body and sleeves shared by tees, hoodies, jackets and sweaters."""
    if long_sleeves:
        sleeves = [(0.305, 0.27), (0.19, 0.33), (0.135, 0.71), (0.215, 0.725), (0.29, 0.44)]
    else:
        sleeves = [(0.31, 0.27), (0.17, 0.345), (0.215, 0.46), (0.305, 0.425)]
    right = [(1 - x, y) for x, y in reversed(sleeves)]
    body = [(0.41, 0.225), *sleeves, (0.31, hem), (0.69, hem), *right, (0.59, 0.225)]
    p.poly(body, c)


def _tshirt(p: Pen, c: RGB, d: RGB):
    _top(p, c, d, long_sleeves=False)
    p.chord((0.405, 0.165, 0.595, 0.295), 0, 180, d)  # neckline
    p.line([(0.215, 0.445), (0.305, 0.405)], d, 0.008)  # sleeve hems
    p.line([(0.785, 0.445), (0.695, 0.405)], d, 0.008)
    p.line([(0.315, 0.755), (0.685, 0.755)], d, 0.006)
    return 0.31, 0.69, 0.78


def _hoodie(p: Pen, c: RGB, d: RGB):
    hood = _shade(c, 0.1)
    p.poly(
        [
            *_curve((0.33, 0.3), (0.34, 0.1), (0.5, 0.1)),
            *_curve((0.5, 0.1), (0.66, 0.1), (0.67, 0.3)),
        ],
        hood,
    )  # hood, behind
    _top(p, c, d, long_sleeves=True)
    p.poly(
        [
            *_curve((0.4, 0.22), (0.42, 0.36), (0.5, 0.37)),
            *_curve((0.5, 0.37), (0.58, 0.36), (0.6, 0.22)),
        ],
        hood,
    )  # hood lying on the chest
    p.poly(
        [
            *_curve((0.43, 0.2), (0.44, 0.32), (0.5, 0.33)),
            *_curve((0.5, 0.33), (0.56, 0.32), (0.57, 0.2)),
        ],
        d,
    )  # the opening
    p.line([(0.465, 0.30), (0.46, 0.42)], _shade(d, 0.2), 0.008)  # drawcords
    p.line([(0.535, 0.30), (0.54, 0.42)], _shade(d, 0.2), 0.008)
    p.poly([(0.38, 0.55), (0.62, 0.55), (0.66, 0.69), (0.34, 0.69)], _shade(c, 0.1))  # pocket
    p.rect((0.31, 0.735, 0.69, 0.78), d, 0.005)  # rib hem
    return 0.31, 0.69, 0.78


def _jacket(p: Pen, c: RGB, d: RGB):
    _top(p, c, d, long_sleeves=True, hem=0.8)
    p.poly([(0.41, 0.225), (0.5, 0.34), (0.59, 0.225), (0.5, 0.25)], d)  # collar opening
    p.poly([(0.39, 0.215), (0.45, 0.2), (0.5, 0.34), (0.42, 0.31)], _shade(c, 0.12))  # collar
    p.poly([(0.61, 0.215), (0.55, 0.2), (0.5, 0.34), (0.58, 0.31)], _shade(c, 0.12))
    p.line([(0.5, 0.34), (0.5, 0.8)], d, 0.007)  # zip
    p.rect((0.34, 0.56, 0.45, 0.585), d, 0.006)  # pocket flaps
    p.rect((0.55, 0.56, 0.66, 0.585), d, 0.006)
    p.rect((0.135, 0.69, 0.215, 0.725), d, 0.004)  # cuffs
    p.rect((0.785, 0.69, 0.865, 0.725), d, 0.004)
    return 0.31, 0.69, 0.8


def _sweater(p: Pen, c: RGB, d: RGB):
    _top(p, c, d, long_sleeves=True)
    p.chord((0.41, 0.17, 0.59, 0.29), 0, 180, d)
    p.arc((0.39, 0.15, 0.61, 0.31), 10, 170, _shade(c, 0.1), 0.014)  # rib collar
    p.rect((0.31, 0.73, 0.69, 0.78), _shade(c, 0.1), 0.004)  # rib hem
    for i in range(9):
        x = 0.33 + i * 0.0425
        p.line([(x, 0.735), (x, 0.775)], _shade(c, 0.22), 0.004)
    for x0 in (0.36, 0.6):  # cable stitches
        for k in range(6):
            y = 0.33 + k * 0.065
            p.arc((x0, y, x0 + 0.04, y + 0.06), 200, 340, _shade(c, 0.15), 0.006)
    return 0.31, 0.69, 0.78


def _sneaker(p: Pen, c: RGB, d: RGB):
    sole = (246, 244, 238) if _luma(c) < 0.8 else (58, 58, 62)
    upper = [
        (0.16, 0.64),
        (0.165, 0.5),
        (0.2, 0.455),
        (0.25, 0.46),
        (0.31, 0.49),
        (0.37, 0.45),
        (0.42, 0.42),
        (0.47, 0.445),
        *_curve((0.6, 0.5), (0.84, 0.52), (0.875, 0.64)),
    ]
    p.poly(upper, c)
    p.rect((0.14, 0.62, 0.875, 0.69), sole, 0.03)
    p.line([(0.16, 0.665), (0.86, 0.665)], _shade(sole, 0.1), 0.005)
    p.poly([(0.165, 0.5), (0.2, 0.455), (0.25, 0.46), (0.23, 0.53), (0.165, 0.545)], d)  # heel
    for i in range(4):  # laces across the lacing line
        x, y = 0.455 + i * 0.045, 0.45 + i * 0.019
        p.line([(x - 0.012, y - 0.018), (x + 0.022, y + 0.03)], d, 0.011)
    p.line([(0.3, 0.585), (0.44, 0.54), (0.6, 0.585)], _shade(c, 0.15), 0.014)  # side stripe
    return 0.14, 0.875, 0.69


def _boot(p: Pen, c: RGB, d: RGB):
    outline = [
        (0.3, 0.2),
        (0.52, 0.2),
        (0.535, 0.47),
        *_curve((0.6, 0.52), (0.84, 0.56), (0.835, 0.71)),
        (0.27, 0.71),
        (0.28, 0.45),
    ]
    p.poly(outline, c)
    p.rect((0.25, 0.69, 0.845, 0.76), (54, 44, 38) if _luma(c) > 0.25 else (118, 98, 78), 0.015)
    p.rect((0.29, 0.185, 0.53, 0.225), d, 0.01)  # collar
    p.rect((0.275, 0.2, 0.31, 0.29), d, 0.008)  # pull tab
    for i in range(5):  # laces
        y = 0.26 + i * 0.05
        p.line([(0.44, y), (0.525 + i * 0.005, y + 0.022)], d, 0.01)
    p.line([(0.28, 0.67), (0.8, 0.67)], _shade(c, 0.12), 0.005)  # welt stitching
    return 0.25, 0.845, 0.76


def _sandal(p: Pen, c: RGB, d: RGB):
    cork = (214, 184, 140)
    p.poly([(0.16, 0.66), (0.2, 0.62), (0.84, 0.6), (0.88, 0.64), (0.86, 0.68), (0.16, 0.7)], cork)
    p.rect((0.15, 0.68, 0.88, 0.73), (60, 54, 50), 0.02)
    p.arc((0.25, 0.52, 0.53, 0.72), 180, 360, c, 0.045)  # straps
    p.arc((0.54, 0.51, 0.82, 0.71), 180, 360, c, 0.045)
    p.rect((0.37, 0.505, 0.41, 0.545), (206, 178, 110), 0.008)  # buckles
    p.rect((0.66, 0.495, 0.7, 0.535), (206, 178, 110), 0.008)
    return 0.15, 0.88, 0.73


def _mug(p: Pen, c: RGB, d: RGB):
    p.ellipse((0.55, 0.38, 0.76, 0.62), outline=c, width=0.045)  # handle
    p.rect((0.27, 0.3, 0.63, 0.74), c, 0.05)
    p.ellipse((0.27, 0.27, 0.63, 0.33), fill=d)  # rim
    p.ellipse((0.285, 0.28, 0.615, 0.325), fill=_shade(d, 0.25))  # coffee
    p.rect((0.27, 0.6, 0.63, 0.74), _shade(c, 0.08), 0.05)  # dipped glaze
    p.rect((0.27, 0.6, 0.63, 0.64), _shade(c, 0.08), 0)
    return 0.27, 0.63, 0.74


def _lamp(p: Pen, c: RGB, d: RGB):
    p.line([(0.5, 0.4), (0.5, 0.73)], _shade(c, 0.3), 0.016)  # stem
    p.ellipse((0.36, 0.71, 0.64, 0.77), fill=_shade(c, 0.3))  # base
    p.poly([(0.36, 0.2), (0.64, 0.2), (0.74, 0.42), (0.26, 0.42)], c)  # shade
    p.ellipse((0.26, 0.395, 0.74, 0.445), fill=(255, 236, 190))  # light under the shade
    p.ellipse((0.36, 0.185, 0.64, 0.215), fill=_shade(c, 0.15))
    return 0.36, 0.64, 0.77


def _blanket(p: Pen, c: RGB, d: RGB):
    tones = [_shade(c, 0.1), c, _mix(c, (255, 255, 255), 0.3)]
    for i, tone in enumerate(tones):
        y = 0.6 - i * 0.13
        p.rect((0.22 + i * 0.015, y, 0.78 - i * 0.015, y + 0.14), tone, 0.04)
        p.line(
            [(0.26 + i * 0.015, y + 0.03), (0.74 - i * 0.015, y + 0.03)], _shade(tone, 0.12), 0.005
        )
    return 0.22, 0.78, 0.75


def _tent(p: Pen, c: RGB, d: RGB):
    p.ellipse((0.62, 0.18, 0.74, 0.3), fill=(255, 243, 214))  # sun
    p.poly([(0.5, 0.27), (0.84, 0.72), (0.16, 0.72)], c)
    p.poly([(0.5, 0.27), (0.84, 0.72), (0.66, 0.72)], _shade(c, 0.14))  # shaded side
    p.poly([(0.5, 0.42), (0.58, 0.72), (0.42, 0.72)], d)  # door
    p.line([(0.5, 0.2), (0.5, 0.29)], d, 0.008)  # pole
    p.line([(0.1, 0.725), (0.9, 0.725)], _shade(c, 0.3), 0.008)  # guy line ground
    return 0.16, 0.84, 0.73


def _bicycle(p: Pen, c: RGB, d: RGB):
    tyre = (52, 52, 56)
    for cx in (0.29, 0.71):
        p.ellipse((cx - 0.16, 0.46, cx + 0.16, 0.78), outline=tyre, width=0.02)
        p.ellipse((cx - 0.015, 0.605, cx + 0.015, 0.635), fill=tyre)
    frame = [(0.29, 0.62), (0.44, 0.42), (0.64, 0.42), (0.71, 0.62)]
    p.line(frame, c, 0.022)
    p.line([(0.29, 0.62), (0.5, 0.63), (0.64, 0.42)], c, 0.022)
    p.line([(0.5, 0.63), (0.42, 0.36)], c, 0.022)  # seat tube
    p.line([(0.64, 0.42), (0.62, 0.34), (0.68, 0.33)], tyre, 0.016)  # stem, bars
    p.rect((0.37, 0.33, 0.47, 0.36), tyre, 0.01)  # saddle
    p.ellipse((0.47, 0.6, 0.53, 0.66), fill=_shade(c, 0.2))  # crank
    return 0.13, 0.87, 0.78


def _bag(p: Pen, c: RGB, d: RGB):
    p.arc((0.38, 0.2, 0.62, 0.48), 180, 360, d, 0.03)  # handle
    p.rect((0.26, 0.33, 0.74, 0.76), c, 0.05)
    p.rect((0.26, 0.33, 0.74, 0.5), _shade(c, 0.1), 0.05)  # flap
    p.rect((0.26, 0.44, 0.74, 0.5), _shade(c, 0.1), 0)
    p.rect((0.47, 0.47, 0.53, 0.54), (200, 170, 100), 0.01)  # brass clasp
    p.line([(0.3, 0.72), (0.7, 0.72)], _shade(c, 0.15), 0.005)
    return 0.26, 0.74, 0.76


def _watch(p: Pen, c: RGB, d: RGB):
    steel = (196, 198, 202)
    p.rect((0.43, 0.12, 0.57, 0.36), c, 0.03)  # straps
    p.rect((0.43, 0.64, 0.57, 0.88), c, 0.03)
    p.rect((0.68, 0.47, 0.71, 0.53), steel, 0.005)  # crown
    p.ellipse((0.31, 0.31, 0.69, 0.69), fill=steel)
    p.ellipse((0.335, 0.335, 0.665, 0.665), fill=(248, 246, 240))
    for i in range(12):
        a = math.radians(i * 30)
        r0, r1 = (0.135, 0.155) if i % 3 else (0.12, 0.155)
        p.line(
            [
                (0.5 + r0 * math.sin(a), 0.5 - r0 * math.cos(a)),
                (0.5 + r1 * math.sin(a), 0.5 - r1 * math.cos(a)),
            ],
            (60, 60, 64),
            0.006,
        )
    p.line([(0.5, 0.5), (0.5, 0.39)], (40, 40, 44), 0.01)
    p.line([(0.5, 0.5), (0.58, 0.545)], (40, 40, 44), 0.01)
    p.ellipse((0.49, 0.49, 0.51, 0.51), fill=(40, 40, 44))
    return 0.43, 0.57, 0.88


def _beanie(p: Pen, c: RGB, d: RGB):
    p.ellipse((0.43, 0.17, 0.57, 0.3), fill=_mix(c, (255, 255, 255), 0.15))  # pom-pom
    p.pieslice((0.25, 0.25, 0.75, 0.85), 180, 360, c)
    p.rect((0.24, 0.5, 0.76, 0.55), c, 0)
    p.rect((0.23, 0.53, 0.77, 0.68), _shade(c, 0.12), 0.03)  # turn-up
    for i in range(12):
        x = 0.27 + i * 0.042
        p.line([(x, 0.555), (x, 0.655)], _shade(c, 0.25), 0.005)
    for i in range(6):
        x = 0.32 + i * 0.072
        p.line([(x, 0.33 + abs(0.5 - x) * 0.4), (x, 0.51)], _shade(c, 0.08), 0.006)
    return 0.23, 0.77, 0.68


def _bowl(p: Pen, c: RGB, d: RGB):
    p.chord((0.2, 0.2, 0.8, 0.72), 0, 180, c)  # bowl
    p.rect((0.4, 0.69, 0.6, 0.73), _shade(c, 0.15), 0.01)  # foot
    p.ellipse((0.2, 0.42, 0.8, 0.5), fill=_shade(c, 0.1))  # rim
    p.ellipse((0.22, 0.43, 0.78, 0.49), fill=_shade(c, 0.25))  # inside
    return 0.36, 0.64, 0.73


def _jar(p: Pen, c: RGB, d: RGB):
    p.rect((0.33, 0.3, 0.67, 0.75), c, 0.07)
    p.rect((0.36, 0.24, 0.64, 0.31), _shade(c, 0.2), 0.02)  # lid
    p.rect((0.45, 0.2, 0.55, 0.245), _shade(c, 0.3), 0.02)  # knob
    p.rect((0.4, 0.45, 0.6, 0.57), _mix(c, (255, 255, 255), 0.55), 0.01)  # label
    p.line([(0.43, 0.49), (0.57, 0.49)], _shade(c, 0.2), 0.006)
    p.line([(0.45, 0.525), (0.55, 0.525)], _shade(c, 0.2), 0.006)
    return 0.33, 0.67, 0.75


def _backpack(p: Pen, c: RGB, d: RGB):
    p.arc((0.42, 0.14, 0.58, 0.3), 180, 360, d, 0.022)  # top handle
    p.rect((0.29, 0.22, 0.71, 0.78), c, 0.09)
    p.chord((0.29, 0.14, 0.71, 0.5), 0, 180, _shade(c, 0.1))  # lid
    p.rect((0.29, 0.22, 0.71, 0.32), _shade(c, 0.1), 0.09)
    p.rect((0.35, 0.53, 0.65, 0.72), _shade(c, 0.08), 0.04)  # front pocket
    p.line([(0.37, 0.565), (0.63, 0.565)], d, 0.008)  # zip
    for x in (0.42, 0.58):  # straps
        p.line([(x, 0.3), (x, 0.47)], d, 0.018)
        p.rect((x - 0.02, 0.46, x + 0.02, 0.49), (200, 170, 100), 0.006)
    return 0.29, 0.71, 0.78


def _cap(p: Pen, c: RGB, d: RGB):
    brim = _shade(c, 0.14)
    p.chord((0.36, 0.52, 0.86, 0.7), 0, 180, brim)  # brim, seen from the side
    p.pieslice((0.2, 0.3, 0.7, 0.9), 180, 360, c)  # crown
    p.line([(0.45, 0.31), (0.45, 0.6)], _shade(c, 0.12), 0.006)  # panel seams
    p.arc((0.3, 0.3, 0.6, 0.9), 205, 270, _shade(c, 0.12), 0.006)
    p.ellipse((0.43, 0.285, 0.47, 0.315), fill=_shade(c, 0.15))  # button
    p.rect((0.2, 0.575, 0.7, 0.61), _shade(c, 0.2), 0.01)  # band
    return 0.2, 0.86, 0.66


def _scarf(p: Pen, c: RGB, d: RGB):
    light, back = _mix(c, (255, 255, 255), 0.35), _shade(c, 0.12)
    p.rect((0.5, 0.27, 0.64, 0.7), back, 0.03)  # the end behind
    p.rect((0.36, 0.22, 0.5, 0.76), c, 0.03)  # the end in front
    p.ellipse((0.38, 0.16, 0.62, 0.32), fill=c)  # the fold
    p.ellipse((0.44, 0.2, 0.56, 0.28), fill=back)
    for x0, x1, ys in ((0.36, 0.5, (0.58, 0.64)), (0.5, 0.64, (0.54, 0.6))):  # stripes
        for y in ys:
            p.rect((x0, y, x1, y + 0.022), light, 0)
    for x0, bottom in ((0.36, 0.76), (0.5, 0.7)):  # fringe
        for i in range(7):
            x = x0 + 0.012 + i * 0.019
            p.line([(x, bottom - 0.005), (x, bottom + 0.035)], c if x0 < 0.4 else back, 0.006)
    return 0.34, 0.66, 0.8


def _box(p: Pen, c: RGB, d: RGB):
    p.rect((0.28, 0.34, 0.72, 0.74), c, 0.02)
    p.rect((0.26, 0.3, 0.74, 0.4), _shade(c, 0.1), 0.02)
    p.rect((0.47, 0.3, 0.53, 0.74), d, 0)
    return 0.28, 0.72, 0.74


# name: (draw, lift, zoom); lift moves a shape up and zoom enlarges it within the frame
SHAPES: dict[str, tuple[Shape, float, float]] = {
    "tshirt": (_tshirt, 0.0, 1.0),
    "hoodie": (_hoodie, 0.0, 1.0),
    "jacket": (_jacket, 0.0, 1.0),
    "sweater": (_sweater, 0.0, 1.0),
    "sneaker": (_sneaker, 0.07, 1.08),
    "boot": (_boot, 0.04, 1.0),
    "sandal": (_sandal, 0.08, 1.05),
    "mug": (_mug, 0.0, 1.0),
    "lamp": (_lamp, 0.0, 1.0),
    "blanket": (_blanket, 0.0, 1.0),
    "tent": (_tent, 0.0, 1.0),
    "bicycle": (_bicycle, 0.0, 1.0),
    "bag": (_bag, 0.0, 1.0),
    "watch": (_watch, 0.0, 1.0),
    "beanie": (_beanie, 0.0, 1.0),
    "bowl": (_bowl, 0.06, 1.05),
    "jar": (_jar, 0.0, 1.0),
    "backpack": (_backpack, 0.0, 1.0),
    "cap": (_cap, 0.05, 1.0),
    "scarf": (_scarf, 0.0, 1.0),
    "box": (_box, 0.0, 1.0),
}


# --- Composition


@functools.cache
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (OSError, TypeError):  # Pillow without FreeType
        return ImageFont.load_default()


def initials(name: str) -> str:
    letters = [word[0] for word in name.replace("-", " ").split() if word[:1].isalpha()]
    return "".join(letters[:2]).upper()


@functools.cache
def _gradient_mask(size: int) -> Image.Image:
    return Image.linear_gradient("L").resize((size, size), Image.Resampling.BILINEAR)


def render(
    *,
    name: str,
    top: str,
    shape_name: str,
    colour: RGB | None = None,
    key: str = "",
    view: int = 0,
) -> Image.Image:
    """Draw one product image. view=1 is a second, closer and mirrored shot."""
    key = key or name
    h = _hash(key)
    hue = CATEGORY_HUES.get(top, _hash(top) % 360) + (h % 17) - 8
    colour = colour or NEUTRALS[(h >> 8) % len(NEUTRALS)]
    canvas = SIZE * SCALE

    # backdrop: a soft vertical two-tone gradient
    dim = 0.08 if _luma(colour) > 0.75 else 0.0  # a pale product needs a deeper backdrop
    light, deep = _hls(hue, 0.95 - dim, 0.42), _hls(hue + 6, 0.86 - dim, 0.36)
    if view:
        light, deep = _hls(hue - 10, 0.93 - dim, 0.38), _hls(hue - 4, 0.83 - dim, 0.32)
    image = Image.composite(
        Image.new("RGB", (canvas, canvas), deep),
        Image.new("RGB", (canvas, canvas), light),
        _gradient_mask(canvas),
    )
    draw = ImageDraw.Draw(image)

    disc = Pen(draw, canvas, zoom=1.0 if not view else 1.15)
    # a pale disc behind the product; a pale product gets a slightly darker one instead
    disc_colour = _mix(deep, (0, 0, 0), 0.06) if dim else _mix(light, (255, 255, 255), 0.45)
    disc.ellipse((0.17, 0.13, 0.83, 0.79), fill=disc_colour)
    draw_shape, lift, zoom = SHAPES.get(shape_name, SHAPES["box"])
    mirror = bool(view)
    if view:
        zoom *= 1.15
    centre = (0.5, 0.5 + lift)
    pen = Pen(draw, canvas, zoom=zoom, centre=centre, mirror=mirror)
    detail = _shade(colour)
    # floor shadow: the object's footprint, blurred on a small layer and scaled up
    probe = Pen(ImageDraw.Draw(Image.new("RGB", (8, 8))), 8)  # a dry run, for the extents
    x0, x1, base = draw_shape(probe, colour, detail)
    left, top_px, right, bottom = (
        round(v) for v in pen.box(x0 - 0.06, base - 0.05, x1 + 0.06, base + 0.06)
    )
    width, height = max(8, right - left), max(8, bottom - top_px)
    shadow = Image.new("L", (width // 8, height // 8), 0)
    inset = 0.045 * canvas * zoom / 8
    ImageDraw.Draw(shadow).ellipse(
        (inset, inset * 0.9, width / 8 - inset, height / 8 - inset * 0.8), fill=90
    )
    shadow = shadow.filter(ImageFilter.GaussianBlur(1.8)).resize(
        (width, height), Image.Resampling.BILINEAR
    )
    image.paste(
        _mix(deep, (30, 30, 40), 0.35), (left, top_px, left + width, top_px + height), shadow
    )

    draw_shape(pen, colour, detail)
    image = image.reduce(SCALE)

    text = initials(name)
    if text:
        font = _font(18)
        ImageDraw.Draw(image).text(
            (SIZE - 18, SIZE - 16), text, font=font, anchor="rs", fill=_mix(deep, (0, 0, 0), 0.4)
        )
    return image


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def image_path(slug: str, index: int = 0) -> str:
    """Where a product's image lives, relative to MEDIA_ROOT."""
    suffix = "" if index == 0 else f"-{index + 1}"
    return f"{PRODUCTS_DIR}/{slug}{suffix}.webp"


def save(image: Image.Image, relative: str) -> str:
    target = media_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, "WEBP", quality=QUALITY, method=4)
    return relative


def write_product_images(spec: ProductSpec) -> list[str]:
    """Draw and save the images of a generated product; returns their paths."""
    paths = []
    for index in range(spec.image_count):
        colour = spec.colours[index] if index < len(spec.colours) else None
        if colour is None and spec.colours:
            colour = spec.colours[0]
        image = render(
            name=spec.name,
            top=spec.top,
            shape_name=spec.shape,
            colour=colour,
            key=spec.slug,
            view=0 if index == 0 or len(spec.colours) > 1 else 1,
        )
        paths.append(save(image, image_path(spec.slug, index)))
    return paths


def shared_images(per_shape: int = 3) -> dict[tuple[str, str | None], list[str]]:
    """A few images per demo subcategory and shape, shared by bulk-seeded products.

    Drawn once (files that exist are kept). Keys are (subcategory slug, shape); (slug, None)
    holds the subcategory's main shape too.
    """
    from .demo import COLOURS, SUBCATEGORIES, TOP_OF

    palette = [rgb for _code, rgb in COLOURS.values()]
    shared: dict[tuple[str, str | None], list[str]] = {}
    for slug, sub in SUBCATEGORIES.items():
        for shape_name in dict.fromkeys([sub.shape, *(s for _w, s in sub.shape_words)]):
            paths = []
            for i in range(per_shape):
                relative = f"{PRODUCTS_DIR}/shared/{slug}-{shape_name}-{i + 1}.webp"
                if not (media_root() / relative).exists():
                    colour = palette[(_hash(slug + shape_name) + i * 7) % len(palette)]
                    image = render(
                        name=sub.name,
                        top=TOP_OF[slug],
                        shape_name=shape_name,
                        colour=colour,
                        key=f"{slug}-{shape_name}-{i}",
                    )
                    save(image, relative)
                paths.append(relative)
            shared[slug, shape_name] = paths
            shared.setdefault((slug, None), paths)
    return shared


def add_generated_image(product: Product, *, shape_name: str = "box", top: str = "") -> str:
    """Draw an image for an existing product, record it and refresh the product summary."""
    from .models import ProductImage
    from .services import product_refresh_summary

    top = top or (product.category.parent or product.category).slug
    index = product.images.count()
    relative = save(
        render(name=product.name, top=top, shape_name=shape_name, key=product.slug),
        image_path(product.slug, index),
    )
    ProductImage.objects.create(product=product, path=relative, alt=product.name, position=index)
    product_refresh_summary(product=product)
    return relative
