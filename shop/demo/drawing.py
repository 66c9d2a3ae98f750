"""The pen the demo's placeholder images are drawn with: colour helpers and a Pen that draws
shapes given in unit coordinates (see images.py for the composition, shapes.py for the
silhouettes)."""

from __future__ import annotations

import colorsys
import zlib
from collections.abc import Callable, Iterable

from PIL import ImageDraw

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


def hls(hue: float, lightness: float, saturation: float) -> RGB:
    r, g, b = colorsys.hls_to_rgb((hue % 360) / 360, lightness, saturation)
    return round(r * 255), round(g * 255), round(b * 255)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def luma(c: RGB) -> float:
    return (0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]) / 255


def shade(c: RGB, amount: float = 0.22) -> RGB:
    """A detail colour: darker on light colours, lighter on dark ones."""
    if luma(c) > 0.35:
        return mix(c, (20, 20, 24), amount)
    return mix(c, (255, 255, 255), amount + 0.05)


def text_hash(text: str) -> int:
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


def curve(start: Point, control: Point, end: Point, steps: int = 12) -> list[Point]:
    """Points along a quadratic Bezier curve."""
    points = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
        points.append(
            (a * start[0] + b * control[0] + c * end[0], a * start[1] + b * control[1] + c * end[1])
        )
    return points
