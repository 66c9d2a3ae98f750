"""Demo catalog: the category tree and a deterministic product generator.

Everything is generated from word lists with ``random.Random(seed)``: the same seed gives the
same products (names, prices, variants, stock), so demo data and benchmarks are repeatable.
shop/demo/loader.py writes them in batches, fast enough for 100,000 products.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from shop.catalog.models import Category

from .tree_goods import GOODS
from .tree_wear import WEAR
from .vocabulary import COLOURS, SIZE_CODES, Axis, Sub, Top

CATALOG: tuple[Top, ...] = (*WEAR, *GOODS)

# fmt: on

CLOSERS = (
    "Designed in Lisbon and made in small batches.",
    "Backed by our two-year guarantee and free repairs.",
    "Ships in plastic-free packaging.",
    "Free returns within 30 days.",
    "Made responsibly, with full traceability of materials.",
)

SUBCATEGORIES: dict[str, Sub] = {sub.slug: sub for top in CATALOG for sub in top.subs}
TOP_OF: dict[str, str] = {sub.slug: top.slug for top in CATALOG for sub in top.subs}

SOLD_OUT_PRODUCT_SHARE = 0.02
SOLD_OUT_VARIANT_SHARE = 0.06  # plus the products sold out entirely: about 8% of variants
FEATURED_SHARE = 0.10
TWO_IMAGES_SHARE = 0.3
MAX_AGE_SECONDS = 120 * 24 * 3600
PRICE_ENDINGS = (Decimal("0.00"), Decimal("0.50"), Decimal("0.95"), Decimal("0.99"))
PRICE_ENDING_CUM_WEIGHTS = (3, 4, 7, 10)


# --- Categories


def ensure_categories() -> dict[str, Category]:
    """Create the demo category tree where missing; returns every demo category by slug."""
    existing = {c.slug: c for c in Category.objects.filter(slug__in=_category_slugs())}
    for top_position, top in enumerate(CATALOG):
        parent = existing.get(top.slug)
        if parent is None:
            parent = Category.objects.create(
                name=top.name, slug=top.slug, description=top.description, position=top_position
            )
            existing[top.slug] = parent
        for position, sub in enumerate(top.subs):
            if sub.slug not in existing:
                existing[sub.slug] = Category.objects.create(
                    name=sub.name,
                    slug=sub.slug,
                    description=sub.description,
                    parent=parent,
                    position=position,
                )
    return existing


def _category_slugs() -> list[str]:
    return [slug for top in CATALOG for slug in (top.slug, *(sub.slug for sub in top.subs))]


# --- Products


@dataclass(slots=True)
class VariantSpec:
    sku: str
    options: dict[str, str]
    price: Decimal
    stock: int


@dataclass(slots=True)
class ProductSpec:
    serial: int
    name: str
    slug: str
    description: str
    category: str  # subcategory slug
    top: str  # top category slug
    shape: str
    price: Decimal  # the lowest variant price
    is_featured: bool
    created_at: datetime
    variants: list[VariantSpec]
    colours: list[tuple[int, int, int]] = field(default_factory=list)  # for the images
    image_count: int = 1


# Demo collections, named after places: a name's first word once the plain names run out.
COLLECTIONS = (
    "Alfama", "Baixa", "Chiado", "Estrela", "Lapa", "Belem", "Sintra", "Cascais", "Porto",
    "Braga", "Aveiro", "Coimbra", "Evora", "Faro", "Lagos", "Tavira", "Nazare", "Obidos",
    "Tomar", "Viseu", "Mafra", "Ericeira", "Peniche", "Sagres", "Douro", "Minho", "Tejo",
    "Mondego", "Arrabida", "Madeira", "Azores", "Alentejo", "Algarve", "Monsanto", "Marvao",
    "Amarante", "Caminha", "Geres", "Lousa", "Batalha", "Elvas", "Beja", "Mertola", "Ourem",
    "Setubal", "Comporta", "Melides", "Odeceixe", "Aljezur", "Monchique", "Silves", "Loule",
    "Olhao", "Cacela", "Almada", "Serpa", "Moura", "Portalegre", "Castelo", "Estremoz",
)
NAME_ATTEMPTS = 6
PLAIN_SHARE = 0.7  # of a subcategory's word combinations, before collections' names come in


def has_doubled_word(words: list[str]) -> bool:
    """True when a word comes twice, counting the parts of "French Terry" and "Half-Zip"."""
    parts = [part.lower() for word in words for part in word.replace("-", " ").split()]
    return len(parts) != len(set(parts))


def roman(number: int) -> str:
    numerals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, numeral in numerals:
        while number >= value:
            out += numeral
            number -= value
    return out


def base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _option_code(key: str, value: str) -> str:
    if key == "colour":
        return COLOURS[value][0]
    if value in SIZE_CODES:
        return SIZE_CODES[value]
    if key == "size" and value.endswith("-person"):
        return value[0] + "P"
    if key == "size":
        return value.removeprefix("EU ")
    return value[:3].upper()


class ProductGenerator:
    """Invents products, deterministically for a seed.

    ``taken_slugs`` and ``taken_skus`` hold what already exists (in the database or earlier in
    this run); the generator adds what it hands out, so every slug and SKU it yields is new.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        now: datetime | None = None,
        taken_slugs: set[str] | None = None,
        taken_skus: set[str] | None = None,
        taken_names: set[str] | None = None,
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not security
        self.now = now or timezone.now()
        self.taken_slugs = taken_slugs if taken_slugs is not None else set()
        self.taken_skus = taken_skus if taken_skus is not None else set()
        self.taken_names = taken_names if taken_names is not None else set()
        self.subs = [sub for top in CATALOG for sub in top.subs]
        weights = [sub.weight for sub in self.subs]
        self.cum_weights = [sum(weights[: i + 1]) for i in range(len(weights))]
        self._slug_cache: dict[str, str] = {}
        self._codes: dict[Axis, list[str]] = {}
        self._names_used: dict[str, int] = {}

    def products(self, count: int, *, start: int = 1) -> Iterator[ProductSpec]:
        for serial in range(start, start + count):
            yield self.product(serial)

    def product(self, serial: int) -> ProductSpec:
        rng = self.rng
        random_ = rng.random
        sub = rng.choices(self.subs, cum_weights=self.cum_weights)[0]
        base, name = self._name(sub)
        description = f"{rng.choice(sub.features)} {rng.choice(sub.uses)}"
        if random_() < 0.5:
            description += " " + rng.choice(CLOSERS)
        base_price = self._price(sub)
        combos, colours = self._option_combos(sub)
        sold_out = random_() < SOLD_OUT_PRODUCT_SHARE
        sku_prefix = f"{sub.code}-{serial:04d}"
        variants = []
        for options, surcharge, code in combos:
            r = random_()
            if sold_out or r < SOLD_OUT_VARIANT_SHARE:
                stock = 0
            elif r < SOLD_OUT_VARIANT_SHARE + 0.11:
                stock = 1 + int(random_() * 3)  # running low
            else:
                stock = 1 + int(random_() * 40)
            variants.append(
                VariantSpec(self._sku(sku_prefix + code), options, base_price + surcharge, stock)
            )
        return ProductSpec(
            serial=serial,
            name=name,
            slug=self._slug(name, serial),
            description=description,
            category=sub.slug,
            top=TOP_OF[sub.slug],
            shape=sub.shape_for(base),
            price=min(v.price for v in variants),
            is_featured=random_() < FEATURED_SHARE,
            created_at=self.now - timedelta(seconds=int(random_() * MAX_AGE_SECONDS)),
            variants=variants,
            colours=colours,
            image_count=2 if random_() < TWO_IMAGES_SHARE else 1,
        )

    def _name(self, sub: Sub) -> tuple[str, str]:
        """(the words' name, the product's name): a name no other product has and with no
        word twice ("French Terry Terry Sweatshirt"). A few draws find a free combination
        of the subcategory's words while most are free; once most are taken, a collection's
        name goes in front ("Porto Merino Crew Tee"), and when the draws still find no free
        one, a generation's numeral goes at the end ("... II"): even 100,000 products (many
        more than the combinations of the word lists) have names of their own."""
        rng, taken = self.rng, self.taken_names
        used = self._names_used.get(sub.slug, 0)
        self._names_used[sub.slug] = used + 1
        in_collection = used >= PLAIN_SHARE * math.prod(len(words) for words in sub.words)
        base = name = ""
        for _ in range(NAME_ATTEMPTS):
            words = [rng.choice(options) for options in sub.words]
            if has_doubled_word(words):
                continue
            base = " ".join(words)
            name = f"{rng.choice(COLLECTIONS)} {base}" if in_collection else base
            if name not in taken:
                break
        else:
            if not name:  # every draw doubled a word: the first word of each list
                name = base = " ".join(options[0] for options in sub.words)
            generation = 2
            while f"{name} {roman(generation)}" in taken:
                generation += 1
            name = f"{name} {roman(generation)}"
        taken.add(name)
        return base, name

    def _price(self, sub: Sub) -> Decimal:
        low, high = sub.price
        whole = self.rng.randint(low, high)
        ending = self.rng.choices(PRICE_ENDINGS, cum_weights=PRICE_ENDING_CUM_WEIGHTS)[0]
        if ending > Decimal("0.50") and whole > low:
            whole -= 1  # 39 -> 38.95, so the price stays inside the range
        return Decimal(whole) + ending

    def _option_combos(
        self, sub: Sub
    ) -> tuple[list[tuple[dict[str, str], int, str]], list[tuple[int, int, int]]]:
        """Every combination of the picked option values: (options, surcharge, SKU suffix),
        and the RGB of the picked colours."""
        rng = self.rng
        if not sub.axes or rng.random() < sub.single_share:
            return [({}, 0, "")], []
        combos: list[tuple[dict[str, str], int, str]] = [({}, 0, "")]
        colours: list[tuple[int, int, int]] = []
        for axis in sub.axes:
            how_many = min(rng.randint(*axis.pick), len(axis.values))
            if axis.contiguous:
                first = rng.randint(0, len(axis.values) - how_many)
                indexes = list(range(first, first + how_many))
            else:
                indexes = sorted(rng.sample(range(len(axis.values)), how_many))
            if axis.key == "colour":
                colours = [COLOURS[axis.values[i]][1] for i in indexes]
            codes = self._codes.get(axis)
            if codes is None:
                codes = self._codes[axis] = ["-" + _option_code(axis.key, v) for v in axis.values]
            combos = [
                (
                    {**options, axis.key: axis.values[i]},
                    surcharge + axis.surcharge * i,
                    code + codes[i],
                )
                for options, surcharge, code in combos
                for i in indexes
            ]
        return combos, colours

    def _sku(self, sku: str) -> str:
        if sku in self.taken_skus:
            n = 2
            while f"{sku}-{n}" in self.taken_skus:
                n += 1
            sku = f"{sku}-{n}"
        self.taken_skus.add(sku)
        return sku

    def _slug(self, name: str, serial: int) -> str:
        base = self._slug_cache.get(name)
        if base is None:
            base = self._slug_cache[name] = slugify(name)
        candidate = base
        if candidate in self.taken_slugs:
            candidate = f"{base}-{base36(serial)}"
            n = 1
            while candidate in self.taken_slugs:
                n += 1
                candidate = f"{base}-{base36(serial)}-{n}"
        self.taken_slugs.add(candidate)
        return candidate
