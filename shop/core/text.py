"""Folding text for search: lower case, no accents ("García" -> "garcia").

`fold()` in Python and `Fold()` in SQL give the same answer for the letters a shop meets:
on PostgreSQL `Fold()` calls `shop_fold()`, an IMMUTABLE SQL function over the `unaccent`
extension (migration catalog/0006, so that it can be indexed); on SQLite the same name is a
Python function registered on every new connection (`register_sqlite_functions`, connected in
shop/core/apps.py). Staff searches (customers, orders, products) and the storefront's search
all go through it.
"""

import unicodedata

from django.db.models import CharField, Func, Q
from django.db.models.lookups import Contains

# Letters NFKD does not split into a base letter and a mark (unaccent maps them too).
_EXTRA = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d",
                        "ð": "d", "þ": "th", "\u0131": "i"})


def fold(value: str | None) -> str:
    """`value` in lower case without accents or other marks."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value.lower().translate(_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class Fold(Func):
    """SQL `shop_fold(expression)`: the column folded like fold() folds a search text."""

    function = "shop_fold"
    output_field = CharField()


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """connection_created receiver: `shop_fold` on SQLite (PostgreSQL has its own)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("shop_fold", 1, fold, deterministic=True)


def folded_contains(field: str, text: str) -> Q:
    """`field` contains `text`, both folded: "garcia" finds "García" (staff searches)."""
    return Q(Contains(Fold(field), fold(text)))
