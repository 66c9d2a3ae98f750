"""The product editor's form: the product's fields, up to three option axes and the matrix of
cells (one variant each) as posted. Only turns the posted text into the catalog's specs
(shop/catalog/editing.py checks and saves them)."""

from __future__ import annotations

import json

from django import forms
from django.http import QueryDict

from shop.catalog import editing
from shop.catalog.matrix import MAX_AXES, Axis, Cell, axes_clean
from shop.catalog.selectors import category_tree_choices

MAX_CELLS = editing.MAX_VARIANTS


class ProductForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    category = forms.ChoiceField(label="Category")
    description = forms.CharField(required=False, max_length=editing.MAX_DESCRIPTION,
                                  widget=forms.Textarea(attrs={"rows": 5}), label="Description")
    published = forms.BooleanField(required=False, label="Published (shown in the shop)")
    default_price = forms.CharField(required=False, max_length=14,
                                    label="Price for new variants (EUR)")
    confirm_price = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Choose a category"), *category_tree_choices()]
        for i in range(1, MAX_AXES + 1):
            self.fields[f"option{i}_name"] = forms.CharField(
                required=False, max_length=30, label=f"Option {i}")
            self.fields[f"option{i}_values"] = forms.CharField(
                required=False, max_length=600, label=f"Values of option {i} (comma-separated)")

    def axes(self) -> list[Axis]:
        data = self.data
        return axes_clean([(data.get(f"option{i}_name", ""), data.get(f"option{i}_values", ""))
                           for i in range(1, MAX_AXES + 1)])

    def axis_rows(self) -> list[tuple]:
        return [(self[f"option{i}_name"], self[f"option{i}_values"])
                for i in range(1, MAX_AXES + 1)]


def axes_initial(axes: list[Axis]) -> dict[str, str]:
    initial = {}
    for i, axis in enumerate(axes[:MAX_AXES], start=1):
        initial[f"option{i}_name"] = axis.name
        initial[f"option{i}_values"] = ", ".join(axis.values)
    return initial


def cells_posted(data: QueryDict) -> list[Cell]:
    """The matrix as posted: cell-<i>-options (JSON), -sku, -price, -stock, -stock_was."""
    cells = []
    for i in range(MAX_CELLS):
        raw = data.get(f"cell-{i}-options")
        if raw is None:
            break
        try:
            options = json.loads(raw)
        except ValueError:
            options = None
        if not isinstance(options, dict):
            raise editing.CatalogInvalid("The variant table was damaged; build it again.")
        cells.append(Cell(
            options={str(k)[:30]: str(v)[:40] for k, v in options.items()},
            sku=data.get(f"cell-{i}-sku", "").strip()[:64],
            price=data.get(f"cell-{i}-price", "").strip()[:14],
            stock=data.get(f"cell-{i}-stock", "").strip()[:8],
            stock_was=data.get(f"cell-{i}-stock_was", "").strip()[:8],
        ))
    return cells


def _stock(cell: Cell) -> int | None:
    text = cell.stock or "0"
    if not text.isdigit():
        raise editing.CatalogInvalid(f"Stock of {cell.label}: a whole number from 0.")
    if cell.stock_was and text == cell.stock_was:
        return None  # unchanged: sales meanwhile are not overwritten
    return int(text)


def variant_specs(cells: list[Cell]) -> list[editing.VariantSpec]:
    """The cells with a SKU (a cell left without one is a combination not sold)."""
    specs = []
    for cell in cells:
        if not cell.sku:
            continue
        price = editing.price_parse(cell.price, what=f"price of {cell.label}")
        specs.append(editing.VariantSpec(cell.sku, cell.options, price, _stock(cell)))
    return specs
