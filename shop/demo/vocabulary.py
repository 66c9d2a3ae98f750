"""The words the demo catalog is made of: colours, sizes, and the shapes of its tree
(Top -> Sub, each Sub with the option axes its products pick from)."""

from __future__ import annotations

from dataclasses import dataclass

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


def colour_axis(*names: str, pick: tuple[int, int] = (1, 3)) -> Axis:
    return Axis("colour", names, pick)


APPAREL_SIZE_AXIS = Axis("size", APPAREL_SIZES, (3, 5), contiguous=True)
EU_SIZE_AXIS = Axis("size", EU_SIZES, (7, 9), contiguous=True)
