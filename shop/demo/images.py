"""Placeholder product photos, drawn locally with Pillow (nothing is downloaded).

Each image is a 480x480 WebP: a soft two-tone backdrop tinted by the category, a pale disc,
a soft floor shadow and a simple silhouette of the kind of product (a tee, a boot, a lamp, a
tent...) in the product's colour, with its initials small in a corner. Shapes are described in
unit coordinates and drawn at twice the size, then scaled down, for smooth edges.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from shop.catalog.models import Product, ProductImage
from shop.catalog.services import product_refresh_summary

from .catalog import COLOURS, SUBCATEGORIES, TOP_OF, ProductSpec
from .drawing import (
    CATEGORY_HUES,
    NEUTRALS,
    PRODUCTS_DIR,
    QUALITY,
    RGB,
    SCALE,
    SIZE,
    Pen,
    hls,
    luma,
    mix,
    shade,
    text_hash,
)
from .shapes import SHAPES

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


def _backdrop(hue: float, colour: RGB, view: int, canvas: int) -> tuple[Image.Image, RGB, RGB]:
    """A soft vertical two-tone gradient; returns the image and its (light, deep) colours."""
    dim = 0.08 if luma(colour) > 0.75 else 0.0  # a pale product needs a deeper backdrop
    light, deep = hls(hue, 0.95 - dim, 0.42), hls(hue + 6, 0.86 - dim, 0.36)
    if view:
        light, deep = hls(hue - 10, 0.93 - dim, 0.38), hls(hue - 4, 0.83 - dim, 0.32)
    image = Image.composite(
        Image.new("RGB", (canvas, canvas), deep),
        Image.new("RGB", (canvas, canvas), light),
        _gradient_mask(canvas),
    )
    disc = Pen(ImageDraw.Draw(image), canvas, zoom=1.0 if not view else 1.15)
    # a pale disc behind the product; a pale product gets a slightly darker one instead
    disc_colour = mix(deep, (0, 0, 0), 0.06) if dim else mix(light, (255, 255, 255), 0.45)
    disc.ellipse((0.17, 0.13, 0.83, 0.79), fill=disc_colour)
    return image, light, deep


def _floor_shadow(image: Image.Image, pen: Pen, extent: tuple[float, float, float],
                  deep: RGB, zoom: float) -> None:
    """The object's footprint, blurred on a small layer and scaled up."""
    x0, x1, base = extent
    canvas = SIZE * SCALE
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
        mix(deep, (30, 30, 40), 0.35), (left, top_px, left + width, top_px + height), shadow
    )


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
    h = text_hash(key)
    hue = CATEGORY_HUES.get(top, text_hash(top) % 360) + (h % 17) - 8
    colour = colour or NEUTRALS[(h >> 8) % len(NEUTRALS)]
    canvas = SIZE * SCALE
    image, _light, deep = _backdrop(hue, colour, view, canvas)
    draw_shape, lift, zoom = SHAPES.get(shape_name, SHAPES["box"])
    if view:
        zoom *= 1.15
    pen = Pen(ImageDraw.Draw(image), canvas, zoom=zoom, centre=(0.5, 0.5 + lift),
              mirror=bool(view))
    detail = shade(colour)
    probe = Pen(ImageDraw.Draw(Image.new("RGB", (8, 8))), 8)  # a dry run, for the extents
    _floor_shadow(image, pen, draw_shape(probe, colour, detail), deep, zoom)
    draw_shape(pen, colour, detail)
    image = image.reduce(SCALE)

    text = initials(name)
    if text:
        font = _font(18)
        ImageDraw.Draw(image).text(
            (SIZE - 18, SIZE - 16), text, font=font, anchor="rs", fill=mix(deep, (0, 0, 0), 0.4)
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
    palette = [rgb for _code, rgb in COLOURS.values()]
    shared: dict[tuple[str, str | None], list[str]] = {}
    for slug, sub in SUBCATEGORIES.items():
        for shape_name in dict.fromkeys([sub.shape, *(s for _w, s in sub.shape_words)]):
            paths = []
            for i in range(per_shape):
                relative = f"{PRODUCTS_DIR}/shared/{slug}-{shape_name}-{i + 1}.webp"
                if not (media_root() / relative).exists():
                    colour = palette[(text_hash(slug + shape_name) + i * 7) % len(palette)]
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
    top = top or (product.category.parent or product.category).slug
    index = product.images.count()
    relative = save(
        render(name=product.name, top=top, shape_name=shape_name, key=product.slug),
        image_path(product.slug, index),
    )
    ProductImage.objects.create(product=product, path=relative, alt=product.name, position=index)
    product_refresh_summary(product=product)
    return relative
