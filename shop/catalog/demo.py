"""Demo catalog: the category tree, a deterministic product generator and the bulk loader.

Everything is generated from word lists with ``random.Random(seed)``: the same seed gives the
same products (names, prices, variants, stock), so demo data and benchmarks are repeatable.
``seed_products`` writes them with ``bulk_create`` in batches, fast enough for 100,000 products.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from .models import Category, Product, ProductImage, Variant

# --- Colours: the option values shoppers see, with a SKU code and the RGB the images use.

COLOURS: dict[str, tuple[str, tuple[int, int, int]]] = {
    "Black": ("BLK", (43, 45, 49)),
    "Charcoal": ("CHR", (74, 78, 84)),
    "Navy": ("NAV", (42, 58, 92)),
    "White": ("WHT", (240, 238, 232)),
    "Ecru": ("ECR", (232, 223, 204)),
    "Oatmeal": ("OAT", (214, 200, 176)),
    "Sand": ("SND", (206, 184, 150)),
    "Stone": ("STN", (168, 163, 152)),
    "Olive": ("OLV", (107, 112, 72)),
    "Forest": ("FOR", (52, 86, 66)),
    "Sage": ("SGE", (150, 168, 140)),
    "Rust": ("RST", (168, 84, 52)),
    "Terracotta": ("TER", (190, 108, 80)),
    "Burgundy": ("BUR", (110, 40, 52)),
    "Mustard": ("MUS", (205, 160, 60)),
    "Sky": ("SKY", (140, 180, 212)),
    "Cobalt": ("COB", (46, 82, 160)),
    "Heather Grey": ("HGR", (170, 172, 176)),
    "Tan": ("TAN", (176, 128, 84)),
    "Brown": ("BRN", (104, 72, 50)),
    "Brass": ("BRS", (181, 150, 86)),
    "Copper": ("COP", (176, 108, 72)),
    "Silver": ("SLV", (190, 194, 198)),
    "Blush": ("BLU", (226, 180, 172)),
}
APPAREL_SIZES = ("XS", "S", "M", "L", "XL")
EU_SIZES = tuple(f"EU {size}" for size in range(38, 47))
SIZE_CODES = {"Single": "SGL", "Double": "DBL", "King": "KNG", "One size": "OS"}


@dataclass(frozen=True)
class Axis:
    """One option of a product (size, colour, ...) and how many of its values to pick."""

    key: str
    values: tuple[str, ...]
    pick: tuple[int, int]
    contiguous: bool = False  # sizes: a run such as S-XL; colours: any sample
    surcharge: int = 0  # added to the price per step along `values` (bigger bedding costs more)


@dataclass(frozen=True)
class Sub:
    """A subcategory and everything needed to invent its products."""

    name: str
    slug: str
    description: str
    code: str  # SKU prefix
    shape: str  # silhouette drawn by images.py
    price: tuple[int, int]
    words: tuple[tuple[str, ...], ...]  # one word is picked from each list to make a name
    features: tuple[str, ...]
    uses: tuple[str, ...]
    axes: tuple[Axis, ...] = ()
    single_share: float = 0.0  # share of products with one variant and no options
    weight: int = 10  # relative share of the catalog
    shape_words: tuple[tuple[str, str], ...] = ()  # (word in the name, shape) overriding `shape`

    def shape_for(self, name: str) -> str:
        for word, shape in self.shape_words:
            if word in name:
                return shape
        return self.shape


@dataclass(frozen=True)
class Top:
    name: str
    slug: str
    description: str
    subs: tuple[Sub, ...]


def _colours(*names: str, pick: tuple[int, int] = (1, 3)) -> Axis:
    return Axis("colour", names, pick)


_APPAREL_SIZE = Axis("size", APPAREL_SIZES, (3, 5), contiguous=True)
_EU_SIZE = Axis("size", EU_SIZES, (7, 9), contiguous=True)

# fmt: off
CATALOG: tuple[Top, ...] = (
    Top(
        "Clothing",
        "clothing",
        "Everyday clothes in honest fabrics, cut to be worn for years.",
        (
            Sub(
                "T-Shirts",
                "t-shirts",
                "Soft, well-cut tees for every day, from featherweight to heavyweight.",
                "TEE",
                "tshirt",
                (19, 39),
                (
                    ("Merino", "Organic Cotton", "Slub Cotton", "Pima Cotton", "Linen-Blend",
                     "Heavyweight", "Garment-Dyed", "Recycled Cotton", "Supima", "Loopback"),
                    ("Crew", "V-Neck", "Pocket", "Raglan", "Henley", "Boxy", "Longline",
                     "Ringer", "Relaxed", "Essential"),
                    ("T-Shirt", "Tee"),
                ),
                (
                    "Cut from a soft, breathable jersey that gets better with every wash.",
                    "Knitted from long-staple yarn for a smooth hand and no pilling.",
                    "A clean neckline with a taped seam keeps its shape wash after wash.",
                    "Pre-shrunk and garment-washed, so the size you buy is the size you keep.",
                    "The fabric is dense enough to hang well without feeling heavy.",
                ),
                (
                    "Wear it on its own in summer or layered under an overshirt.",
                    "It pairs as easily with tailored trousers as with your oldest jeans.",
                    "A true wardrobe staple you will reach for every week.",
                    "Relaxed through the body with a slightly dropped shoulder.",
                ),
                (_APPAREL_SIZE, _colours("White", "Black", "Navy", "Heather Grey", "Ecru",
                                         "Olive", "Rust", "Sky", "Forest")),
                weight=14,
            ),
            Sub(
                "Hoodies & Sweats",
                "hoodies-sweats",
                "Brushed-back fleece hoodies and sweatshirts for slow mornings.",
                "SWT",
                "hoodie",
                (49, 99),
                (
                    ("Brushed", "Loopback", "Organic", "Heavyweight", "French Terry", "Recycled",
                     "Garment-Dyed", "Classic"),
                    ("Fleece", "Cotton", "Terry", "Campus", "Weekend", "Zip-Through"),
                    ("Hoodie", "Sweatshirt", "Crewneck", "Half-Zip"),
                ),
                (
                    "A brushed inner face makes it warm without bulk.",
                    "Ribbed cuffs and hem hold their shape season after season.",
                    "Knitted on slow loopwheel machines for a soft, dense fabric.",
                    "Double-layered hood and flat drawcords that stay put.",
                    "Made from organic cotton spun and knitted in Portugal.",
                ),
                (
                    "Made for cold mornings, long walks and lazy Sundays.",
                    "Throw it over a tee and you are ready for the weekend.",
                    "A relaxed fit with room for a layer underneath.",
                    "The kind of sweatshirt that becomes your favourite by winter.",
                ),
                (_APPAREL_SIZE, _colours("Heather Grey", "Navy", "Black", "Oatmeal", "Forest",
                                         "Burgundy", "Sage", "Ecru")),
                weight=10,
            ),
            Sub(
                "Jackets",
                "jackets",
                "Waxed, quilted and waterproof layers built for changeable weather.",
                "JKT",
                "jacket",
                (89, 249),
                (
                    ("Waxed Canvas", "Quilted", "Waterproof", "Packable", "Wool-Blend",
                     "Ripstop", "Corduroy", "Insulated", "Denim", "Shell"),
                    ("Field", "Chore", "Trucker", "Harrington", "Utility", "Coach", "Shirt",
                     "Mountain", "Rain"),
                    ("Jacket", "Coat", "Parka", "Overshirt"),
                ),
                (
                    "The outer fabric sheds rain and softens into a patina over time.",
                    "Lightly padded with recycled insulation that stays warm when damp.",
                    "Taped seams and a storm flap keep the weather out.",
                    "Corozo buttons, a two-way zip and deep hand-warmer pockets.",
                    "A brushed cotton lining makes it comfortable over a T-shirt.",
                ),
                (
                    "Built for commutes, dog walks and everything in between.",
                    "Roomy enough to layer over a knit when the temperature drops.",
                    "A jacket you will still be wearing in ten years.",
                    "Packs down small enough to carry on every trip.",
                ),
                (_APPAREL_SIZE, _colours("Olive", "Navy", "Black", "Tan", "Sand", "Forest",
                                         "Rust", "Charcoal", pick=(1, 2))),
                weight=9,
            ),
            Sub(
                "Knitwear",
                "knitwear",
                "Merino, lambswool and cotton knits, soft enough to wear next to skin.",
                "KNT",
                "sweater",
                (59, 149),
                (
                    ("Merino", "Lambswool", "Cashmere-Blend", "Cotton", "Shetland", "Alpaca",
                     "Chunky", "Fine-Gauge"),
                    ("Crew", "Roll-Neck", "Cardigan", "Fisherman", "Cable", "V-Neck", "Polo"),
                    ("Sweater", "Jumper", "Knit"),
                ),
                (
                    "Knitted from extra-fine merino that is soft enough to wear next to skin.",
                    "A classic cable pattern gives it texture and extra warmth.",
                    "Fully fashioned seams mean it keeps its shape for years.",
                    "Naturally temperature-regulating and resistant to odour.",
                    "Spun from undyed yarn in soft, natural tones.",
                ),
                (
                    "Layer it over a collared shirt or wear it with a tee.",
                    "Warm enough for winter, light enough for a cool summer evening.",
                    "Hand wash cold and dry flat and it will last a lifetime.",
                    "A timeless knit that goes with nearly everything.",
                ),
                (_APPAREL_SIZE, _colours("Oatmeal", "Navy", "Charcoal", "Ecru", "Burgundy",
                                         "Forest", "Mustard", "Stone")),
                weight=8,
            ),
        ),
    ),
    Top(
        "Footwear",
        "footwear",
        "Shoes made on good lasts with soles that can be replaced.",
        (
            Sub(
                "Sneakers",
                "sneakers",
                "Low-profile leather and canvas sneakers for everyday miles.",
                "SNK",
                "sneaker",
                (69, 169),
                (
                    ("Leather", "Canvas", "Suede", "Recycled Knit", "Vegan Leather", "Nubuck"),
                    ("Court", "Runner", "Low-Top", "High-Top", "Trainer", "Plimsoll", "Retro"),
                    ("Sneaker", "Trainer", "Shoe"),
                ),
                (
                    "A cupsole stitched to the upper so it can be resoled.",
                    "Full-grain leather lined with soft calfskin for an easy break-in.",
                    "A cushioned, removable insole made from recycled foam.",
                    "The natural rubber outsole grips well on wet pavements.",
                    "Minimal branding and tonal stitching keep it clean.",
                ),
                (
                    "Goes with chinos, jeans and just about everything else.",
                    "Light enough to walk in all day.",
                    "Fits true to size; go half a size down if you are in between.",
                    "A pared-back design that never goes out of date.",
                ),
                (_EU_SIZE, _colours("White", "Black", "Navy", "Stone", "Tan", pick=(1, 2))),
                weight=9,
            ),
            Sub(
                "Boots",
                "boots",
                "Goodyear-welted boots that get better with age.",
                "BOT",
                "boot",
                (129, 289),
                (
                    ("Leather", "Suede", "Waxed", "Oiled", "Shearling-Lined", "Waterproof"),
                    ("Chelsea", "Lace-Up", "Work", "Hiking", "Chukka", "Service", "Moc-Toe"),
                    ("Boot", "Boots"),
                ),
                (
                    "Goodyear welted so the sole can be replaced again and again.",
                    "Oiled leather resists water and builds a rich patina.",
                    "A cushioned cork footbed moulds to your foot over time.",
                    "The lug sole grips on mud, gravel and city streets.",
                    "Hand-finished in a small family workshop.",
                ),
                (
                    "Made for long winters and longer walks.",
                    "Dress them up or down; they work with both.",
                    "Give them a week to break in and they will fit like a glove.",
                    "A boot you will resole rather than replace.",
                ),
                (_EU_SIZE, _colours("Brown", "Black", "Tan", pick=(1, 2))),
                weight=7,
            ),
            Sub(
                "Sandals",
                "sandals",
                "Comfortable sandals and slides for warm days.",
                "SDL",
                "sandal",
                (39, 99),
                (
                    ("Leather", "Cork", "Suede", "Recycled", "Woven"),
                    ("Two-Strap", "Slide", "Trail", "Fisherman", "Cross-Strap", "Buckle"),
                    ("Sandal", "Sandals", "Slide"),
                ),
                (
                    "A contoured cork footbed supports the arch.",
                    "Vegetable-tanned leather straps soften as you wear them.",
                    "The outsole is made from recycled rubber.",
                    "Adjustable buckles make it easy to get the fit right.",
                ),
                (
                    "Perfect for beach days and city summers alike.",
                    "Pack them for every holiday.",
                    "Light, quick-drying and easy to slip on.",
                ),
                (_EU_SIZE, _colours("Tan", "Black", "Brown", "Sand", pick=(1, 1))),
                weight=5,
            ),
        ),
    ),
    Top(
        "Home",
        "home",
        "Useful, good-looking things for the kitchen, the table and the sofa.",
        (
            Sub(
                "Kitchen",
                "kitchen",
                "Stoneware, cast iron and wooden tools that make cooking a pleasure.",
                "KIT",
                "mug",
                (12, 89),
                (
                    ("Stoneware", "Enamel", "Cast Iron", "Olive Wood", "Glass", "Copper",
                     "Speckled", "Hand-Thrown", "Porcelain"),
                    ("Pour-Over Set", "Mug", "Teapot", "Mixing Bowl", "Serving Bowl",
                     "Utensil Crock", "Milk Jug", "Coffee Dripper", "Butter Dish",
                     "Cereal Bowl", "Storage Jar"),
                ),
                (
                    "Each piece is glazed by hand, so no two are quite the same.",
                    "Dishwasher and microwave safe for everyday use.",
                    "Fired at high temperature for a tough, chip-resistant finish.",
                    "Made in a small pottery in the north of Portugal.",
                    "A generous, comfortable shape that feels good in the hand.",
                ),
                (
                    "Brings a little ceremony to your morning coffee.",
                    "Use it every day or save it for Sunday breakfast.",
                    "Makes a thoughtful housewarming gift.",
                    "Looks just as good on the shelf as on the table.",
                ),
                (_colours("Ecru", "Sage", "Terracotta", "Charcoal", "Sky", "White"),),
                single_share=0.5,
                weight=10,
                shape_words=(("Bowl", "bowl"), ("Dish", "bowl"), ("Jar", "jar"),
                             ("Crock", "jar"), ("Teapot", "jar")),
            ),
            Sub(
                "Lighting",
                "lighting",
                "Lamps with warm light and simple lines.",
                "LGT",
                "lamp",
                (45, 249),
                (
                    ("Brass", "Ceramic", "Linen", "Rattan", "Opal Glass", "Walnut", "Concrete",
                     "Pleated"),
                    ("Desk", "Table", "Floor", "Pendant", "Wall", "Reading", "Mushroom"),
                    ("Lamp", "Light"),
                ),
                (
                    "The shade diffuses a soft, warm light with no glare.",
                    "Comes with a braided fabric cable and an inline dimmer.",
                    "Takes a standard E27 bulb; an LED bulb is included.",
                    "The weighted base keeps it steady on any surface.",
                ),
                (
                    "Perfect for reading corners and bedside tables.",
                    "Creates a calm, cosy pool of light in the evening.",
                    "A simple shape that suits both modern and older homes.",
                ),
                (Axis("finish", ("Brass", "Black", "White", "Copper"), (1, 3)),),
                single_share=0.4,
                weight=7,
            ),
            Sub(
                "Textiles",
                "textiles",
                "Linen, wool and cotton for beds, sofas and tables.",
                "TXT",
                "blanket",
                (19, 189),
                (
                    ("Stonewashed Linen", "Lambswool", "Waffle Cotton", "Organic Percale",
                     "Recycled Wool", "Herringbone", "Chunky Knit", "Gauze"),
                    ("Throw", "Duvet Cover", "Cushion Cover", "Tea Towel Set", "Bath Towel",
                     "Blanket", "Tablecloth", "Pillowcase Pair"),
                ),
                (
                    "Stonewashed for a lived-in softness from the first night.",
                    "Woven on traditional looms in a family mill.",
                    "Breathable and temperature-regulating, warm in winter and cool in summer.",
                    "OEKO-TEX certified and free from harmful dyes.",
                ),
                (
                    "Gets softer with every wash.",
                    "Layer it with other colours for a relaxed look.",
                    "Machine washable at 40 degrees.",
                ),
                (
                    Axis("size", ("Single", "Double", "King"), (1, 3), contiguous=True,
                         surcharge=20),
                    _colours("Oatmeal", "Sage", "White", "Terracotta", "Charcoal", "Blush",
                             "Mustard"),
                ),
                single_share=0.25,
                weight=7,
            ),
        ),
    ),
    Top(
        "Outdoors",
        "outdoors",
        "Gear for nights under canvas and days on two wheels.",
        (
            Sub(
                "Camping",
                "camping",
                "Tents, stoves and sleep systems that pack small and last long.",
                "CMP",
                "tent",
                (15, 399),
                (
                    ("Ultralight", "Four-Season", "Trekking", "Compact", "Canvas", "Alpine",
                     "Backcountry", "Family"),
                    ("Dome Tent", "Tarp", "Sleeping Bag", "Camp Stove", "Lantern",
                     "Sleeping Mat", "Camp Chair", "Cook Set", "Hammock"),
                ),
                (
                    "Made from ripstop nylon with a silicone finish that sheds rain.",
                    "Packs down to the size of a water bottle.",
                    "Tested in the Scottish Highlands in every season.",
                    "Every part can be repaired, and we sell the spares.",
                ),
                (
                    "Ready for wild camps, festivals and long weekends.",
                    "Sets up in minutes, even in the dark.",
                    "Built to be carried for days without a second thought.",
                ),
                (Axis("size", ("1-person", "2-person", "3-person"), (1, 2), contiguous=True,
                      surcharge=40),),
                single_share=0.65,
                weight=7,
            ),
            Sub(
                "Cycling",
                "cycling",
                "Bags, lights and clothing for commuting and touring by bike.",
                "CYC",
                "bicycle",
                (12, 229),
                (
                    ("Reflective", "Waterproof", "Merino", "Commuter", "Touring", "Gravel",
                     "Lightweight"),
                    ("Pannier", "Helmet", "Rain Cape", "Light Set", "Frame Bag", "Gloves",
                     "Jersey", "Bike Lock"),
                ),
                (
                    "Reflective details keep you visible after dark.",
                    "Fully waterproof with roll-top closures and welded seams.",
                    "Attaches and detaches in seconds without tools.",
                    "Light, tough and designed by people who ride every day.",
                ),
                (
                    "Made for the daily commute in all weathers.",
                    "Equally at home on a weekend tour.",
                    "A small upgrade that makes every ride better.",
                ),
                (Axis("size", ("S", "M", "L"), (2, 3), contiguous=True),
                 _colours("Black", "Cobalt", "Mustard", "Forest", pick=(1, 2))),
                single_share=0.5,
                weight=6,
            ),
        ),
    ),
    Top(
        "Accessories",
        "accessories",
        "The finishing touches: bags, watches, hats and scarves.",
        (
            Sub(
                "Bags",
                "bags",
                "Backpacks, totes and weekenders in canvas and leather.",
                "BAG",
                "bag",
                (29, 259),
                (
                    ("Waxed Canvas", "Leather", "Recycled Nylon", "Cotton Canvas", "Suede",
                     "Waterproof", "Ripstop"),
                    ("Tote", "Backpack", "Weekender", "Messenger", "Crossbody Bag", "Daypack",
                     "Roll-Top Pack", "Market Bag"),
                ),
                (
                    "A padded sleeve fits a 15-inch laptop.",
                    "Solid brass hardware and hand-stitched leather handles.",
                    "Water-resistant fabric with a soft cotton lining.",
                    "Plenty of pockets, including one for your keys.",
                ),
                (
                    "Carries everything you need for a day in the city.",
                    "Big enough for a weekend away, small enough for the overhead bin.",
                    "Ages beautifully with use.",
                ),
                (_colours("Olive", "Black", "Tan", "Navy", "Sand", "Brown"),),
                single_share=0.3,
                weight=8,
                shape_words=(("Backpack", "backpack"), ("Daypack", "backpack"),
                             ("Pack", "backpack")),
            ),
            Sub(
                "Watches",
                "watches",
                "Simple, legible watches with interchangeable straps.",
                "WAT",
                "watch",
                (79, 349),
                (
                    ("Automatic", "Field", "Diver", "Minimal", "Chronograph", "Dress", "Solar"),
                    ("36mm", "38mm", "40mm", "41mm"),
                    ("Watch",),
                ),
                (
                    "Sapphire crystal and a 100 m water resistance.",
                    "A clean dial with lume on the hands and indices.",
                    "The Swiss movement is serviceable for decades.",
                    "The case is brushed stainless steel.",
                ),
                (
                    "Swap the strap in seconds with quick-release pins.",
                    "Smart enough for the office and tough enough for a hike.",
                    "A watch to wear every day and hand down later.",
                ),
                (Axis("strap", ("Leather", "Steel", "Nylon", "Rubber"), (1, 3)),),
                single_share=0.35,
                weight=5,
            ),
            Sub(
                "Hats & Scarves",
                "hats-scarves",
                "Beanies, caps and scarves to finish off an outfit.",
                "HAT",
                "beanie",
                (15, 79),
                (
                    ("Merino", "Lambswool", "Cashmere", "Cotton", "Waxed", "Ribbed", "Fleece"),
                    ("Watch Cap", "Beanie", "Scarf", "Baseball Cap", "Bucket Hat", "Snood"),
                ),
                (
                    "Knitted from soft, itch-free wool.",
                    "A deep turn-up keeps your ears warm.",
                    "Naturally water-repellent and breathable.",
                    "Made in a small mill in the Scottish Borders.",
                ),
                (
                    "The easiest way to add colour to a winter coat.",
                    "One size, with plenty of stretch.",
                    "Makes an easy, well-received gift.",
                ),
                (_colours("Mustard", "Navy", "Rust", "Charcoal", "Forest", "Oatmeal",
                          "Burgundy"),),
                single_share=0.2,
                weight=6,
                shape_words=(("Watch Cap", "beanie"), ("Cap", "cap"), ("Hat", "cap"),
                             ("Scarf", "scarf"), ("Snood", "scarf")),
            ),
        ),
    ),
)

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
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not security
        self.now = now or timezone.now()
        self.taken_slugs = taken_slugs if taken_slugs is not None else set()
        self.taken_skus = taken_skus if taken_skus is not None else set()
        self.subs = [sub for top in CATALOG for sub in top.subs]
        weights = [sub.weight for sub in self.subs]
        self.cum_weights = [sum(weights[: i + 1]) for i in range(len(weights))]
        self._slug_cache: dict[str, str] = {}
        self._codes: dict[Axis, list[str]] = {}

    def products(self, count: int, *, start: int = 1) -> Iterator[ProductSpec]:
        for serial in range(start, start + count):
            yield self.product(serial)

    def product(self, serial: int) -> ProductSpec:
        rng = self.rng
        random_ = rng.random
        sub = rng.choices(self.subs, cum_weights=self.cum_weights)[0]
        name = " ".join([rng.choice(words) for words in sub.words])
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
            shape=sub.shape_for(name),
            price=min(v.price for v in variants),
            is_featured=random_() < FEATURED_SHARE,
            created_at=self.now - timedelta(seconds=int(random_() * MAX_AGE_SECONDS)),
            variants=variants,
            colours=colours,
            image_count=2 if random_() < TWO_IMAGES_SHARE else 1,
        )

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


# --- Loading


@dataclass
class SeedResult:
    products: int = 0
    variants: int = 0
    images: int = 0
    seconds: float = 0.0


def _allocate_ids(model: type[Product], count: int) -> list[int]:
    """Primary keys for ``count`` new rows. Call inside the transaction that inserts them.

    PostgreSQL hands them out from the table's sequence (safe next to other writers); other
    databases continue from the highest id (SQLite: the transaction holds the write lock).
    """
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({qn(pk)}) FROM {qn(table)}")  # noqa: S608 - model names
        top = cursor.fetchone()[0] or 0
        return list(range(top + 1, top + 1 + count))


def _max_params() -> int:
    """How many parameters one statement may carry."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        try:  # the library's real limit (32766 since SQLite 3.32), not Django's cautious 999
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python < 3.11
            return 999
    return 30000


def _insert(model: type[Product], columns: list[str], rows: list[tuple]) -> None:
    """A plain multi-row INSERT of already adapted values: bulk_create without the models."""
    if not rows:
        return
    # Columns added to the model later and not named here get their default (one value for
    # the whole batch), as bulk_create would give them; db_default ones are left to the DB.
    named = {model._meta.get_field(name).column for name in columns}
    extra = [
        field
        for field in model._meta.concrete_fields
        if field.column not in named and not field.primary_key and not field.has_db_default()
    ]
    if extra:
        defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in extra)
        columns = [*columns, *(field.name for field in extra)]
        rows = [row + defaults for row in rows]
    qn = connection.ops.quote_name
    names = ", ".join(qn(model._meta.get_field(name).column) for name in columns)
    if connection.vendor == "postgresql":  # COPY: several times faster than INSERT
        with connection.cursor() as cursor:
            copy_sql = f"COPY {qn(model._meta.db_table)} ({names}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, min(500, _max_params() // len(columns)))
    with connection.cursor() as cursor:
        for first in range(0, len(rows), per_statement):
            chunk = rows[first : first + per_statement]
            sql = (
                f"INSERT INTO {qn(model._meta.db_table)} ({names}) "  # noqa: S608 - model names
                f"VALUES {', '.join([placeholders] * len(chunk))}"
            )
            cursor.execute(sql, [value for row in chunk for value in row])


def _draw_images(specs: list[ProductSpec], workers: int) -> list[list[str]]:
    from . import images as image_module

    if workers <= 1 or len(specs) < 8:
        return [image_module.write_product_images(spec) for spec in specs]
    with ThreadPoolExecutor(max_workers=workers) as pool:  # Pillow releases the GIL
        return list(pool.map(image_module.write_product_images, specs))


@contextmanager
def _sqlite_cache() -> Iterator[None]:
    """A bigger SQLite page cache while seeding: index inserts stop waiting on I/O."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")  # up to 256 MiB, used only as needed
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


class _BatchWriter:
    """Writes a batch of generated products, variants and images in one transaction."""

    PRODUCT_COLUMNS = [
        "id", "category", "name", "slug", "description", "price", "image",
        "is_active", "is_featured", "created_at",
    ]  # fmt: skip
    VARIANT_COLUMNS = ["product", "sku", "options", "price", "stock", "position"]
    IMAGE_COLUMNS = ["product", "path", "alt", "position"]

    def __init__(self, categories: dict[str, int]) -> None:
        self.categories = categories
        self.adapt_datetime = connection.ops.adapt_datetimefield_value
        self._options: dict[tuple, object] = {}

    def adapt_options(self, options: dict[str, str]) -> object:
        key = tuple(options.items())
        if key not in self._options:
            self._options[key] = connection.ops.adapt_json_value(options, None)
        return self._options[key]

    def write(self, specs: list[ProductSpec], paths: list[list[str]]) -> tuple[int, int]:
        """Returns (variants, images) written."""
        categories = self.categories
        with transaction.atomic():
            ids = _allocate_ids(Product, len(specs))
            products = [
                (pk, categories[spec.category], spec.name, spec.slug, spec.description,
                 spec.price, own[0] if own else "", True, spec.is_featured,
                 self.adapt_datetime(spec.created_at))
                for pk, spec, own in zip(ids, specs, paths, strict=True)
            ]  # fmt: skip
            _insert(Product, self.PRODUCT_COLUMNS, products)
            variants = [
                (pk, v.sku, self.adapt_options(v.options), v.price, v.stock, position)
                for pk, spec in zip(ids, specs, strict=True)
                for position, v in enumerate(spec.variants)
            ]
            _insert(Variant, self.VARIANT_COLUMNS, variants)
            images = [
                (pk, path, spec.name[:200], position)
                for pk, spec, own in zip(ids, specs, paths, strict=True)
                for position, path in enumerate(own)
            ]
            _insert(ProductImage, self.IMAGE_COLUMNS, images)
        return len(variants), len(images)


def seed_products(
    count: int,
    *,
    seed: int = 0,
    images: bool = True,
    batch_size: int = 5000,
    progress: Callable[[SeedResult], None] | None = None,
) -> SeedResult:
    """Create ``count`` demo products (and the categories) with bulk inserts, batch by batch.

    images=True draws one or two images per product (about 25 ms each); images=False points
    every product at one of a few shared images per subcategory and shape, drawn once.
    Product.price and Product.image are set directly, as product_refresh_summary would.
    Each batch is one transaction with a few multi-row INSERTs (COPY on PostgreSQL) per table,
    and the next batch is generated in a thread meanwhile.
    """
    from . import images as image_module

    started = time.monotonic()
    categories = {slug: c.pk for slug, c in ensure_categories().items()}
    result = SeedResult()
    has_products = Product.objects.exists()
    taken_slugs = set(Product.objects.values_list("slug", flat=True)) if has_products else set()
    taken_skus = set(Variant.objects.values_list("sku", flat=True)) if has_products else set()
    start = (Product.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    generator = ProductGenerator(seed=seed, taken_slugs=taken_slugs, taken_skus=taken_skus)
    shared = None if images else image_module.shared_images()
    workers = min(4, os.cpu_count() or 1)
    specs_iter = generator.products(count, start=start)
    sizes = [min(batch_size, count - first) for first in range(0, count, batch_size)]

    def prepare(size: int) -> tuple[list[ProductSpec], list[list[str]]]:
        """Invent a batch and draw its images: no database work, so it can run in a thread."""
        specs = [next(specs_iter) for _ in range(size)]
        if shared is None:
            return specs, _draw_images(specs, workers)
        paths = []
        for spec in specs:
            choices = shared.get((spec.category, spec.shape)) or shared[spec.category, None]
            paths.append([choices[spec.serial % len(choices)]])
        return specs, paths

    writer = _BatchWriter(categories)
    # SQLite and psycopg release the GIL while they work, so generating the next batch in a
    # thread overlaps with writing this one.
    with _sqlite_cache(), ThreadPoolExecutor(max_workers=1) as preparer:
        upcoming = preparer.submit(prepare, sizes[0]) if sizes else None
        for index, size in enumerate(sizes):
            specs, paths = upcoming.result()
            if index + 1 < len(sizes):
                upcoming = preparer.submit(prepare, sizes[index + 1])
            variants, images_written = writer.write(specs, paths)
            result.products += size
            result.variants += variants
            result.images += images_written
            result.seconds = time.monotonic() - started
            if progress is not None:
                progress(result)
    result.seconds = time.monotonic() - started
    return result
