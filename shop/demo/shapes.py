"""Silhouettes of the demo's products (a tee, a boot, a lamp, a tent...). Each gets the pen,
the product colour and a detail colour, and returns the extent of the object's base (left x,
right x, bottom y), where its floor shadow goes."""

from __future__ import annotations

import math

from .drawing import RGB, Pen, Shape, curve, luma, mix, shade


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
    hood = shade(c, 0.1)
    p.poly(
        [
            *curve((0.33, 0.3), (0.34, 0.1), (0.5, 0.1)),
            *curve((0.5, 0.1), (0.66, 0.1), (0.67, 0.3)),
        ],
        hood,
    )  # hood, behind
    _top(p, c, d, long_sleeves=True)
    p.poly(
        [
            *curve((0.4, 0.22), (0.42, 0.36), (0.5, 0.37)),
            *curve((0.5, 0.37), (0.58, 0.36), (0.6, 0.22)),
        ],
        hood,
    )  # hood lying on the chest
    p.poly(
        [
            *curve((0.43, 0.2), (0.44, 0.32), (0.5, 0.33)),
            *curve((0.5, 0.33), (0.56, 0.32), (0.57, 0.2)),
        ],
        d,
    )  # the opening
    p.line([(0.465, 0.30), (0.46, 0.42)], shade(d, 0.2), 0.008)  # drawcords
    p.line([(0.535, 0.30), (0.54, 0.42)], shade(d, 0.2), 0.008)
    p.poly([(0.38, 0.55), (0.62, 0.55), (0.66, 0.69), (0.34, 0.69)], shade(c, 0.1))  # pocket
    p.rect((0.31, 0.735, 0.69, 0.78), d, 0.005)  # rib hem
    return 0.31, 0.69, 0.78


def _jacket(p: Pen, c: RGB, d: RGB):
    _top(p, c, d, long_sleeves=True, hem=0.8)
    p.poly([(0.41, 0.225), (0.5, 0.34), (0.59, 0.225), (0.5, 0.25)], d)  # collar opening
    p.poly([(0.39, 0.215), (0.45, 0.2), (0.5, 0.34), (0.42, 0.31)], shade(c, 0.12))  # collar
    p.poly([(0.61, 0.215), (0.55, 0.2), (0.5, 0.34), (0.58, 0.31)], shade(c, 0.12))
    p.line([(0.5, 0.34), (0.5, 0.8)], d, 0.007)  # zip
    p.rect((0.34, 0.56, 0.45, 0.585), d, 0.006)  # pocket flaps
    p.rect((0.55, 0.56, 0.66, 0.585), d, 0.006)
    p.rect((0.135, 0.69, 0.215, 0.725), d, 0.004)  # cuffs
    p.rect((0.785, 0.69, 0.865, 0.725), d, 0.004)
    return 0.31, 0.69, 0.8


def _sweater(p: Pen, c: RGB, d: RGB):
    _top(p, c, d, long_sleeves=True)
    p.chord((0.41, 0.17, 0.59, 0.29), 0, 180, d)
    p.arc((0.39, 0.15, 0.61, 0.31), 10, 170, shade(c, 0.1), 0.014)  # rib collar
    p.rect((0.31, 0.73, 0.69, 0.78), shade(c, 0.1), 0.004)  # rib hem
    for i in range(9):
        x = 0.33 + i * 0.0425
        p.line([(x, 0.735), (x, 0.775)], shade(c, 0.22), 0.004)
    for x0 in (0.36, 0.6):  # cable stitches
        for k in range(6):
            y = 0.33 + k * 0.065
            p.arc((x0, y, x0 + 0.04, y + 0.06), 200, 340, shade(c, 0.15), 0.006)
    return 0.31, 0.69, 0.78


def _sneaker(p: Pen, c: RGB, d: RGB):
    sole = (246, 244, 238) if luma(c) < 0.8 else (58, 58, 62)
    upper = [
        (0.16, 0.64),
        (0.165, 0.5),
        (0.2, 0.455),
        (0.25, 0.46),
        (0.31, 0.49),
        (0.37, 0.45),
        (0.42, 0.42),
        (0.47, 0.445),
        *curve((0.6, 0.5), (0.84, 0.52), (0.875, 0.64)),
    ]
    p.poly(upper, c)
    p.rect((0.14, 0.62, 0.875, 0.69), sole, 0.03)
    p.line([(0.16, 0.665), (0.86, 0.665)], shade(sole, 0.1), 0.005)
    p.poly([(0.165, 0.5), (0.2, 0.455), (0.25, 0.46), (0.23, 0.53), (0.165, 0.545)], d)  # heel
    for i in range(4):  # laces across the lacing line
        x, y = 0.455 + i * 0.045, 0.45 + i * 0.019
        p.line([(x - 0.012, y - 0.018), (x + 0.022, y + 0.03)], d, 0.011)
    p.line([(0.3, 0.585), (0.44, 0.54), (0.6, 0.585)], shade(c, 0.15), 0.014)  # side stripe
    return 0.14, 0.875, 0.69


def _boot(p: Pen, c: RGB, d: RGB):
    outline = [
        (0.3, 0.2),
        (0.52, 0.2),
        (0.535, 0.47),
        *curve((0.6, 0.52), (0.84, 0.56), (0.835, 0.71)),
        (0.27, 0.71),
        (0.28, 0.45),
    ]
    p.poly(outline, c)
    p.rect((0.25, 0.69, 0.845, 0.76), (54, 44, 38) if luma(c) > 0.25 else (118, 98, 78), 0.015)
    p.rect((0.29, 0.185, 0.53, 0.225), d, 0.01)  # collar
    p.rect((0.275, 0.2, 0.31, 0.29), d, 0.008)  # pull tab
    for i in range(5):  # laces
        y = 0.26 + i * 0.05
        p.line([(0.44, y), (0.525 + i * 0.005, y + 0.022)], d, 0.01)
    p.line([(0.28, 0.67), (0.8, 0.67)], shade(c, 0.12), 0.005)  # welt stitching
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
    p.ellipse((0.285, 0.28, 0.615, 0.325), fill=shade(d, 0.25))  # coffee
    p.rect((0.27, 0.6, 0.63, 0.74), shade(c, 0.08), 0.05)  # dipped glaze
    p.rect((0.27, 0.6, 0.63, 0.64), shade(c, 0.08), 0)
    return 0.27, 0.63, 0.74


def _lamp(p: Pen, c: RGB, d: RGB):
    p.line([(0.5, 0.4), (0.5, 0.73)], shade(c, 0.3), 0.016)  # stem
    p.ellipse((0.36, 0.71, 0.64, 0.77), fill=shade(c, 0.3))  # base
    p.poly([(0.36, 0.2), (0.64, 0.2), (0.74, 0.42), (0.26, 0.42)], c)  # shade
    p.ellipse((0.26, 0.395, 0.74, 0.445), fill=(255, 236, 190))  # light under the shade
    p.ellipse((0.36, 0.185, 0.64, 0.215), fill=shade(c, 0.15))
    return 0.36, 0.64, 0.77


def _blanket(p: Pen, c: RGB, d: RGB):
    tones = [shade(c, 0.1), c, mix(c, (255, 255, 255), 0.3)]
    for i, tone in enumerate(tones):
        y = 0.6 - i * 0.13
        p.rect((0.22 + i * 0.015, y, 0.78 - i * 0.015, y + 0.14), tone, 0.04)
        p.line(
            [(0.26 + i * 0.015, y + 0.03), (0.74 - i * 0.015, y + 0.03)], shade(tone, 0.12), 0.005
        )
    return 0.22, 0.78, 0.75


def _tent(p: Pen, c: RGB, d: RGB):
    p.ellipse((0.62, 0.18, 0.74, 0.3), fill=(255, 243, 214))  # sun
    p.poly([(0.5, 0.27), (0.84, 0.72), (0.16, 0.72)], c)
    p.poly([(0.5, 0.27), (0.84, 0.72), (0.66, 0.72)], shade(c, 0.14))  # shaded side
    p.poly([(0.5, 0.42), (0.58, 0.72), (0.42, 0.72)], d)  # door
    p.line([(0.5, 0.2), (0.5, 0.29)], d, 0.008)  # pole
    p.line([(0.1, 0.725), (0.9, 0.725)], shade(c, 0.3), 0.008)  # guy line ground
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
    p.ellipse((0.47, 0.6, 0.53, 0.66), fill=shade(c, 0.2))  # crank
    return 0.13, 0.87, 0.78


def _bag(p: Pen, c: RGB, d: RGB):
    p.arc((0.38, 0.2, 0.62, 0.48), 180, 360, d, 0.03)  # handle
    p.rect((0.26, 0.33, 0.74, 0.76), c, 0.05)
    p.rect((0.26, 0.33, 0.74, 0.5), shade(c, 0.1), 0.05)  # flap
    p.rect((0.26, 0.44, 0.74, 0.5), shade(c, 0.1), 0)
    p.rect((0.47, 0.47, 0.53, 0.54), (200, 170, 100), 0.01)  # brass clasp
    p.line([(0.3, 0.72), (0.7, 0.72)], shade(c, 0.15), 0.005)
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
    p.ellipse((0.43, 0.17, 0.57, 0.3), fill=mix(c, (255, 255, 255), 0.15))  # pom-pom
    p.pieslice((0.25, 0.25, 0.75, 0.85), 180, 360, c)
    p.rect((0.24, 0.5, 0.76, 0.55), c, 0)
    p.rect((0.23, 0.53, 0.77, 0.68), shade(c, 0.12), 0.03)  # turn-up
    for i in range(12):
        x = 0.27 + i * 0.042
        p.line([(x, 0.555), (x, 0.655)], shade(c, 0.25), 0.005)
    for i in range(6):
        x = 0.32 + i * 0.072
        p.line([(x, 0.33 + abs(0.5 - x) * 0.4), (x, 0.51)], shade(c, 0.08), 0.006)
    return 0.23, 0.77, 0.68


def _bowl(p: Pen, c: RGB, d: RGB):
    p.chord((0.2, 0.2, 0.8, 0.72), 0, 180, c)  # bowl
    p.rect((0.4, 0.69, 0.6, 0.73), shade(c, 0.15), 0.01)  # foot
    p.ellipse((0.2, 0.42, 0.8, 0.5), fill=shade(c, 0.1))  # rim
    p.ellipse((0.22, 0.43, 0.78, 0.49), fill=shade(c, 0.25))  # inside
    return 0.36, 0.64, 0.73


def _jar(p: Pen, c: RGB, d: RGB):
    p.rect((0.33, 0.3, 0.67, 0.75), c, 0.07)
    p.rect((0.36, 0.24, 0.64, 0.31), shade(c, 0.2), 0.02)  # lid
    p.rect((0.45, 0.2, 0.55, 0.245), shade(c, 0.3), 0.02)  # knob
    p.rect((0.4, 0.45, 0.6, 0.57), mix(c, (255, 255, 255), 0.55), 0.01)  # label
    p.line([(0.43, 0.49), (0.57, 0.49)], shade(c, 0.2), 0.006)
    p.line([(0.45, 0.525), (0.55, 0.525)], shade(c, 0.2), 0.006)
    return 0.33, 0.67, 0.75


def _backpack(p: Pen, c: RGB, d: RGB):
    p.arc((0.42, 0.14, 0.58, 0.3), 180, 360, d, 0.022)  # top handle
    p.rect((0.29, 0.22, 0.71, 0.78), c, 0.09)
    p.chord((0.29, 0.14, 0.71, 0.5), 0, 180, shade(c, 0.1))  # lid
    p.rect((0.29, 0.22, 0.71, 0.32), shade(c, 0.1), 0.09)
    p.rect((0.35, 0.53, 0.65, 0.72), shade(c, 0.08), 0.04)  # front pocket
    p.line([(0.37, 0.565), (0.63, 0.565)], d, 0.008)  # zip
    for x in (0.42, 0.58):  # straps
        p.line([(x, 0.3), (x, 0.47)], d, 0.018)
        p.rect((x - 0.02, 0.46, x + 0.02, 0.49), (200, 170, 100), 0.006)
    return 0.29, 0.71, 0.78


def _cap(p: Pen, c: RGB, d: RGB):
    brim = shade(c, 0.14)
    p.chord((0.36, 0.52, 0.86, 0.7), 0, 180, brim)  # brim, seen from the side
    p.pieslice((0.2, 0.3, 0.7, 0.9), 180, 360, c)  # crown
    p.line([(0.45, 0.31), (0.45, 0.6)], shade(c, 0.12), 0.006)  # panel seams
    p.arc((0.3, 0.3, 0.6, 0.9), 205, 270, shade(c, 0.12), 0.006)
    p.ellipse((0.43, 0.285, 0.47, 0.315), fill=shade(c, 0.15))  # button
    p.rect((0.2, 0.575, 0.7, 0.61), shade(c, 0.2), 0.01)  # band
    return 0.2, 0.86, 0.66


def _scarf(p: Pen, c: RGB, d: RGB):
    light, back = mix(c, (255, 255, 255), 0.35), shade(c, 0.12)
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
    p.rect((0.26, 0.3, 0.74, 0.4), shade(c, 0.1), 0.02)
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
