"""The variant matrix of the product editor: option axes ("size": S, M, L; "colour": Black,
White) make one cell per combination, each cell a variant with its SKU, price and stock.
Pure functions over plain values; the dashboard's form feeds them, editing.py saves the
result."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from .models import Product

MAX_AXES = 3
MAX_VALUES = 12
_NOT_CODE = re.compile(r"[^A-Za-z0-9]")


@dataclass(frozen=True)
class Axis:
    name: str
    values: list[str]


@dataclass
class Cell:
    options: dict[str, str]
    sku: str = ""
    price: str = ""
    stock: str = "0"
    stock_was: str = ""  # the stock shown when the form was opened ("" for a new variant)

    @property
    def label(self) -> str:
        return " / ".join(self.options.values()) or "Standard"

    @property
    def key(self) -> tuple:
        return tuple(sorted(self.options.items()))


def values_parse(text: str) -> list[str]:
    """"S, M, L" -> ["S", "M", "L"]: trimmed, each once, at most MAX_VALUES."""
    values: dict[str, None] = {}
    for part in str(text).split(","):
        value = " ".join(part.split())[:40]
        if value:
            values[value] = None
    return list(values)[:MAX_VALUES]


def axes_clean(pairs: list[tuple[str, str]]) -> list[Axis]:
    """(name, "v1, v2") pairs as typed; blank ones dropped, names lower-case and unique."""
    axes: list[Axis] = []
    for name, text in pairs[:MAX_AXES]:
        name = " ".join(str(name).split()).lower()[:30]
        values = values_parse(text)
        if name and values and name not in {a.name for a in axes}:
            axes.append(Axis(name, values))
    return axes


def sku_prefix(name: str) -> str:
    words = [w for w in re.split(r"\s+", name) if _NOT_CODE.sub("", w)]
    return "".join(_NOT_CODE.sub("", w)[0] for w in words[:4]).upper() or "SKU"


def sku_suggest(prefix: str, options: dict[str, str]) -> str:
    codes = [_NOT_CODE.sub("", value).upper()[:4] for value in options.values()]
    return "-".join([prefix, *[c for c in codes if c]])[:64]


def cells_build(axes: list[Axis], *, keep: list[Cell], prefix: str, price: str) -> list[Cell]:
    """One cell per combination of the axes; a cell already filled in (same options) keeps
    what it had, a new one gets a suggested SKU and the default price."""
    known = {cell.key: cell for cell in keep}
    combos = itertools.product(*[[(a.name, v) for v in a.values] for a in axes]) if axes \
        else [()]
    cells = []
    for combo in combos:
        options = dict(combo)
        cell = known.get(tuple(sorted(options.items())))
        cells.append(cell or Cell(options=options, sku=sku_suggest(prefix, options),
                                  price=price, stock="0"))
    return cells


def matrix_of(product: Product) -> tuple[list[Axis], list[Cell]]:
    """The axes and cells of an existing product (its variants, in order)."""
    variants = list(product.variants.order_by("position", "pk"))
    names: dict[str, dict[str, None]] = {}
    for variant in variants:
        for name, value in variant.options.items():
            names.setdefault(name, {})[value] = None
    axes = [Axis(name, list(values)) for name, values in names.items()]
    cells = [Cell(options=dict(v.options), sku=v.sku, price=str(v.price), stock=str(v.stock),
                  stock_was=str(v.stock)) for v in variants]
    return axes, cells
