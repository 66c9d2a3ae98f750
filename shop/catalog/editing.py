"""Writes of a product as staff edit it: its fields, its variants (a matrix of options, each
cell with its SKU, price and stock) and its images. No permission or audit here: actions.py
checks the role, asks for a confirmation of large price changes and writes the audit record,
in the same transaction as these changes.

Input is checked here, whoever sends it (the dashboard's form, the admin API): a problem is a
CatalogInvalid naming the field, and nothing is written (every change is one transaction).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from shop.core.errors import InvalidInput

from .models import Category, Product, ProductImage, StockAdjustment, StockAdjustmentReason, Variant
from .services import MAX_PRICE, product_refresh_summary

MAX_VARIANTS = 100
MAX_OPTIONS = 3
MAX_STOCK = 1_000_000
MAX_DESCRIPTION = 5000
SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
COLOUR_OPTIONS = ("colour", "color")


class CatalogInvalid(InvalidInput):
    """Input the catalog refuses: 422 in the API, a message next to the form in the dashboard."""

    status = 422


@dataclass(frozen=True)
class VariantSpec:
    sku: str
    options: dict[str, str]
    price: Decimal | str  # as typed or sent; variants_check parses it (price_parse)
    stock: int | None = None  # None: keep the stock of an existing variant (0 for a new one)


@dataclass(frozen=True)
class ProductSpec:
    """What a create or an edit sets; None leaves a field as it is (an edit only)."""

    name: str | None = None
    category: str | None = None  # slug
    description: str | None = None
    is_active: bool | None = None
    variants: list[VariantSpec] | None = None


@dataclass
class Changes:
    """What an edit changed, for the audit record and the price confirmation."""

    fields: dict[str, list] = field(default_factory=dict)
    prices: list[dict] = field(default_factory=list)  # {sku, from, to}
    stock: list[dict] = field(default_factory=list)  # {sku, from, to}
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def as_details(self) -> dict:
        return {key: value for key, value in vars(self).items() if value}


def _invalid(message: str, code: str = "invalid_input") -> CatalogInvalid:
    return CatalogInvalid(message, code=code)


def price_parse(value: object, *, what: str = "price") -> Decimal:
    """A price as people and JSON send it ("24.9", "24.90", 24.9), checked."""
    try:
        price = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise _invalid(f"Enter the {what} as a number, for example 24.90.") from None
    if not price.is_finite() or not (Decimal(0) <= price <= MAX_PRICE):
        raise _invalid(f"Enter a {what} between 0 and 99999999.99.")
    if price != price.quantize(Decimal("0.01")):
        raise _invalid(f"Enter the {what} with at most two decimals.")
    return price.quantize(Decimal("0.01"))


def _text(value: str, *, what: str, maximum: int, required: bool = True,
          multiline: bool = False) -> str:
    """Trimmed text; one line (runs of white space made one space) unless multiline."""
    text = str(value).replace("\r\n", "\n").strip() if multiline else " ".join(str(value).split())
    if "\x00" in text:
        raise _invalid(f"The {what} contains a character that is not allowed.")
    if required and not text:
        raise _invalid(f"Enter the {what}.")
    if len(text) > maximum:
        raise _invalid(f"The {what} is longer than {maximum} characters.")
    return text


def _options(raw: dict) -> dict[str, str]:
    if not isinstance(raw, dict) or len(raw) > MAX_OPTIONS:
        raise _invalid(f"A variant has at most {MAX_OPTIONS} options (like size and colour).")
    options = {}
    for name, value in raw.items():
        key = _text(str(name), what="option name", maximum=30).lower()
        options[key] = _text(str(value), what=f"{key} value", maximum=40)
    return options


def variants_check(variants: list[VariantSpec]) -> list[VariantSpec]:
    """Every variant well formed; SKUs and option combinations unique; the same option names
    on every variant."""
    if not variants:
        raise _invalid("Add at least one variant.", code="variants_required")
    if len(variants) > MAX_VARIANTS:
        raise _invalid(f"A product has at most {MAX_VARIANTS} variants.")
    checked, skus, combos = [], set(), set()
    for spec in variants:
        sku = str(spec.sku).strip()
        if not SKU_PATTERN.match(sku):
            raise _invalid("A SKU is 1 to 64 letters, digits, dots, dashes or underscores.",
                           code="invalid_sku")
        options = _options(spec.options)
        combo = tuple(sorted(options.items()))
        if sku.upper() in skus:
            raise _invalid(f"The SKU {sku} is used twice.", code="duplicate_sku")
        if combo in combos:
            raise _invalid("Two variants have the same options.", code="duplicate_options")
        if spec.stock is not None and not (0 <= int(spec.stock) <= MAX_STOCK):
            raise _invalid(f"Stock is a whole number from 0 to {MAX_STOCK}.")
        skus.add(sku.upper())
        combos.add(combo)
        checked.append(VariantSpec(sku, options, price_parse(spec.price), spec.stock))
    if len({tuple(sorted(v.options)) for v in checked}) > 1:
        raise _invalid("Every variant needs the same options (for example size and colour).",
                       code="inconsistent_options")
    return checked


def _category(slug: str) -> Category:
    category = Category.objects.filter(slug=str(slug)[:140]).first()
    if category is None:
        raise _invalid("Choose a category that exists.", code="unknown_category")
    return category


def _unique_slug(name: str) -> str:
    base = (slugify(name)[:200] or "product").strip("-") or "product"
    slug, n = base, 2
    while Product.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _sku_taken(skus: list[str], *, product_id: int | None) -> None:
    taken = Variant.objects.filter(sku__in=skus)
    if product_id is not None:
        taken = taken.exclude(product_id=product_id)
    sku = taken.values_list("sku", flat=True).first()
    if sku:
        raise _invalid(f"The SKU {sku} belongs to another product.", code="duplicate_sku")


@transaction.atomic
def product_create(spec: ProductSpec) -> Product:
    name = _text(spec.name or "", what="name", maximum=200)
    category = _category(spec.category or "")
    description = _text(spec.description or "", what="description", maximum=MAX_DESCRIPTION,
                        required=False, multiline=True)
    variants = variants_check(spec.variants or [])
    _sku_taken([v.sku for v in variants], product_id=None)
    product = Product.objects.create(
        name=name, slug=_unique_slug(name), category=category, description=description,
        is_active=bool(spec.is_active) if spec.is_active is not None else False,
    )
    try:
        Variant.objects.bulk_create([
            Variant(product=product, sku=v.sku, options=v.options, price=v.price,
                    stock=v.stock or 0, position=i)
            for i, v in enumerate(variants)
        ])
    except IntegrityError:
        raise _invalid("A SKU is already in use.", code="duplicate_sku") from None
    product_refresh_summary(product=product)
    product.refresh_from_db()  # the list price as the database keeps it (two decimals)
    return product


def _set_fields(product: Product, spec: ProductSpec, changes: Changes) -> None:
    new: dict[str, object] = {}
    if spec.name is not None:
        new["name"] = _text(spec.name, what="name", maximum=200)
    if spec.description is not None:
        new["description"] = _text(spec.description, what="description",
                                   maximum=MAX_DESCRIPTION, required=False, multiline=True)
    if spec.is_active is not None:
        new["is_active"] = bool(spec.is_active)
    if spec.category is not None:
        category = _category(spec.category)
        if category.pk != product.category_id:
            changes.fields["category"] = [product.category.slug, category.slug]
            product.category = category
    for key, value in new.items():
        if getattr(product, key) != value:
            changes.fields[key] = [getattr(product, key), value]
            setattr(product, key, value)
    product.save()


def stock_set_counted(variant: Variant, stock: int, changes: Changes, actor_id: int | None) -> None:
    """A counted stock for an existing variant (row locked by the caller): kept as a stock
    adjustment with who, like a change by ± units."""
    if stock == variant.stock:
        return
    delta = stock - variant.stock
    changes.stock.append({"sku": variant.sku, "from": variant.stock, "to": stock})
    variant.stock = stock
    StockAdjustment.objects.create(variant=variant, delta=delta, stock_after=stock,
                                   reason=StockAdjustmentReason.COUNT,
                                   note="Set in the product editor", actor_id=actor_id)


def _set_variants(product: Product, specs: list[VariantSpec], changes: Changes,
                  actor_id: int | None) -> None:
    specs = variants_check(specs)
    _sku_taken([v.sku for v in specs], product_id=product.pk)
    existing = {v.sku: v for v in product.variants.select_for_update().order_by("pk")}
    wanted = {v.sku for v in specs}
    gone = [sku for sku in existing if sku not in wanted]
    if gone:
        Variant.objects.filter(product=product, sku__in=gone).delete()
        changes.removed.extend(gone)
    for position, spec in enumerate(specs):
        variant = existing.get(spec.sku)
        if variant is None:
            Variant.objects.create(product=product, sku=spec.sku, options=spec.options,
                                   price=spec.price, stock=spec.stock or 0, position=position)
            changes.added.append(spec.sku)
            continue
        if variant.price != spec.price:
            changes.prices.append({"sku": variant.sku, "from": str(variant.price),
                                   "to": str(spec.price)})
        if spec.stock is not None:
            stock_set_counted(variant, int(spec.stock), changes, actor_id)
        variant.options, variant.price, variant.position = spec.options, spec.price, position
        variant.save(update_fields=["options", "price", "stock", "position"])


@transaction.atomic
def product_update(*, product_id: int, spec: ProductSpec, actor_id: int | None = None
                   ) -> tuple[Product, Changes]:
    product = Product.objects.select_for_update().select_related("category").filter(
        pk=product_id).first()
    if product is None:
        raise _invalid("This product no longer exists.", code="unknown_product")
    changes = Changes()
    _set_fields(product, spec, changes)
    if spec.variants is not None:
        _set_variants(product, spec.variants, changes, actor_id)
    product_refresh_summary(product=product)
    product.refresh_from_db()
    return product, changes


def colours_of(product: Product) -> list[str]:
    """The values of the product's colour option, in variant order."""
    values: dict[str, None] = {}
    for options in product.variants.order_by("position", "pk").values_list("options", flat=True):
        for key in COLOUR_OPTIONS:
            if options.get(key):
                values[options[key]] = None
    return list(values)


@transaction.atomic
def product_image_add(*, product: Product, path: str, alt: str = "", colour: str = ""
                      ) -> ProductImage:
    """Records a stored image (shop/catalog/images.py wrote it). One image per colour: a new
    image for a colour replaces the previous one of that colour."""
    colour = _text(colour, what="colour", maximum=40, required=False)
    if colour and colour not in colours_of(product):
        raise _invalid("Choose one of the product's colours for this image.",
                       code="unknown_colour")
    replaced = list(product.images.filter(colour=colour).values_list("path", flat=True)) \
        if colour else []
    if colour:
        product.images.filter(colour=colour).delete()
    position = (product.images.order_by("-position").values_list("position", flat=True).first()
                or 0) + 1
    image = ProductImage.objects.create(
        product=product, path=path, colour=colour, position=position,
        alt=_text(alt, what="image text", maximum=200, required=False)
        or (f"{product.name} in {colour.lower()}" if colour else product.name)[:200],
    )
    product_refresh_summary(product=product)
    image.replaced = replaced  # type: ignore[attr-defined]
    return image


def price_jump(previous: Decimal, new: Decimal, *, ratio: Decimal = Decimal("0.5")) -> bool:
    """A price change a person confirms first: to 0, or by more than ±50%."""
    if new == previous:
        return False
    if new == 0 or previous == 0:
        return True
    return abs(new - previous) / previous > ratio
