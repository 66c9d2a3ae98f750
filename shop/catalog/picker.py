"""The variant picker of the product page: one group per option (size, colour...), which
value is chosen, which combinations are sold out or do not exist, and the variant, price,
stock words and images that follow the choice. Public data only: the same answer for every
visitor (the page is cached).

The choice comes from the page's plain GET form (it works without JavaScript; htmx only
swaps the result in): `variant` is the SKU shown so far and each option's value is a field
named after the option. The options that differ from the shown variant are the ones the
shopper just changed: they win, and the other choices are kept where such a variant exists,
so every combination can be reached by picking its values one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from .editing import COLOUR_OPTIONS
from .models import Product, ProductImage, Variant

# Colour names the shop uses, as swatch colours; another name shows as a neutral swatch with
# its name.
SWATCHES: dict[str, str] = {
    "black": "#2b2d31", "charcoal": "#4a4e54", "navy": "#2a3a5c", "white": "#f0eee8",
    "ecru": "#e8dfcc", "oatmeal": "#d6c8b0", "sand": "#ceb896", "stone": "#a8a398",
    "olive": "#6b7048", "forest": "#345642", "sage": "#96a88c", "rust": "#a85434",
    "terracotta": "#be6c50", "burgundy": "#6e2834", "mustard": "#cda03c", "sky": "#8cb4d4",
    "cobalt": "#2e52a0", "heather grey": "#aaacb0", "grey": "#9a9ca0", "gray": "#9a9ca0",
    "tan": "#b08054", "brown": "#684832", "brass": "#b59656", "copper": "#b06c48",
    "silver": "#bec2c6", "blush": "#e2b4ac", "red": "#b83232", "blue": "#2e5ea0",
    "green": "#3c7a4a", "yellow": "#e0c040", "pink": "#e29ab4", "orange": "#e07a30",
    "purple": "#6a4a8a", "beige": "#d8c8a8", "cream": "#f2ead8",
}
NEUTRAL_SWATCH = "#d8d8d8"


@dataclass(frozen=True)
class OptionValue:
    value: str
    checked: bool
    state: str  # "available", "sold_out" (with the other choices), "missing" (no such variant)
    swatch: str = ""  # a colour for a colour option, else ""


@dataclass(frozen=True)
class OptionGroup:
    name: str
    label: str
    is_colour: bool
    values: list[OptionValue]
    chosen: str


@dataclass(frozen=True)
class Availability:
    """What the page and the API say about stock: never the exact count above the
    threshold (competitors read it), "only N left" at or below it."""

    state: str  # "in_stock", "low", "sold_out"
    shown: int | None  # the count, only when low

    @property
    def words(self) -> str:
        if self.state == "sold_out":
            return "Sold out"
        if self.state == "low":
            return f"Only {self.shown} left"
        return "In stock"


@dataclass(frozen=True)
class Pick:
    chosen: Variant | None
    groups: list[OptionGroup]
    images: list[ProductImage]
    availability: Availability | None
    any_available: bool


def availability_of(stock: int) -> Availability:
    if stock <= 0:
        return Availability("sold_out", None)
    if stock <= settings.SHOP_LOW_STOCK_THRESHOLD:
        return Availability("low", stock)
    return Availability("in_stock", None)


def shown_stock(stock: int) -> int:
    """The count the public API gives: the stock up to the threshold, capped just above it
    (threshold + 1 means "more than the threshold")."""
    return min(max(stock, 0), settings.SHOP_LOW_STOCK_THRESHOLD + 1)


def quantity_offered(stock: int, *, most: int) -> int:
    """The largest quantity a quantity list or input offers for `stock`: `most`, or the stock
    itself when few are left (the page says "Only N left" then). Offering the stock between the
    threshold and `most` would tell the exact count the page keeps to itself; asking for more
    than there is is refused with words (shop/cart/services.py)."""
    stock = max(stock, 0)
    return min(stock, most) if stock <= settings.SHOP_LOW_STOCK_THRESHOLD else most


def _names(variants: list[Variant]) -> list[str]:
    names: dict[str, None] = {}
    for variant in variants:
        names.update(dict.fromkeys(variant.options))
    return list(names)


def _resolve(variants: list[Variant], shown: Variant | None, wanted: dict[str, str]
             ) -> Variant | None:
    """The variant for `wanted` (option -> value): exact if it exists; else one with the
    values that changed from `shown`, keeping as many of the others as exist; in stock
    first."""
    if not variants:
        return None
    default = shown or next((v for v in variants if v.stock > 0), variants[0])
    wanted = {k: v for k, v in wanted.items() if v}
    if not wanted:
        return default
    exact = [v for v in variants if all(v.options.get(k) == x for k, x in wanted.items())]
    if exact:
        return next((v for v in exact if v.stock > 0), exact[0])
    changed = {k: x for k, x in wanted.items() if default.options.get(k) != x}
    candidates = [v for v in variants if all(v.options.get(k) == x for k, x in changed.items())]
    if not candidates:
        return default

    def score(variant: Variant) -> tuple[int, int]:
        kept = sum(variant.options.get(k) == x for k, x in wanted.items())
        return kept, int(variant.stock > 0)

    return max(candidates, key=score)


def _groups(variants: list[Variant], chosen: Variant) -> list[OptionGroup]:
    groups = []
    for name in _names(variants):
        values: dict[str, None] = {}
        for variant in variants:
            if name in variant.options:
                values[variant.options[name]] = None
        others = {k: x for k, x in chosen.options.items() if k != name}
        is_colour = name.lower() in COLOUR_OPTIONS
        items = []
        for value in values:
            match = next((v for v in variants if v.options.get(name) == value
                          and all(v.options.get(k) == x for k, x in others.items())), None)
            state = "missing" if match is None else (
                "available" if match.stock > 0 else "sold_out")
            swatch = SWATCHES.get(value.lower(), NEUTRAL_SWATCH) if is_colour else ""
            items.append(OptionValue(value, chosen.options.get(name) == value, state, swatch))
        groups.append(OptionGroup(name, name.capitalize(), is_colour, items,
                                  chosen.options.get(name, "")))
    return groups


def _images(images: list[ProductImage], chosen: Variant | None) -> list[ProductImage]:
    """The chosen colour's image first, then the others in order."""
    colour = ""
    if chosen is not None:
        colour = next((chosen.options[k] for k in chosen.options
                       if k.lower() in COLOUR_OPTIONS), "")
    first = [i for i in images if colour and i.colour == colour]
    return first + [i for i in images if i not in first]


def variant_pick(*, product: Product, sku: str = "", wanted: dict[str, str] | None = None
                 ) -> Pick:
    """The picker for `product` (its variants and images prefetched: product_get)."""
    variants = list(product.variants.all())
    images = list(product.images.all())
    shown = next((v for v in variants if v.sku == sku), None) if sku else None
    chosen = _resolve(variants, shown, wanted or {})
    return Pick(
        chosen=chosen,
        groups=_groups(variants, chosen) if chosen is not None and len(variants) > 1 else [],
        images=_images(images, chosen),
        availability=availability_of(chosen.stock) if chosen is not None else None,
        any_available=any(v.stock > 0 for v in variants),
    )


def option_names(product: Product) -> list[str]:
    return _names(list(product.variants.all()))
