"""Product search (docs/search.md): what a search text matches, in which order, and what to
suggest when it matches nothing.

PostgreSQL: full-text search on `Product.search_vector` (name and category names, folded and
stemmed in english: "Chelsea boots" finds "Waxed Chelsea Boot"); only when that finds nothing,
trigram strict word similarity of the folded text with the folded name (`bots` finds "Boots";
"boot" does not find "Booth" while there are boots), both GIN-indexed (migration 0006).
Ranked in tiers (every word in the name, then anywhere; or the typo matches), each newest
first. A bigger typo ("chelsae botts") finds nothing at first; the storefront and the API then
search for the "did you mean" (`suggestion`).

SQLite (development and the default test run): every word, folded and stripped of a plain
English ending (boots -> boot, dresses -> dress; words of four letters or fewer are kept
whole), must start a word of the folded name or of the category names. Accents and plurals
are handled; typos are not (the storefront and the API then search for the "did you mean"
instead), and no index is used (a scan: fine for a development catalog). Ranked by the
number of words found in the name.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, Func, Q, QuerySet, Value
from django.db.models.functions import Concat

from shop.core.text import Fold, fold

from .models import Product

MAX_WORDS = 8
MAX_WORD = 40
_WORD = re.compile(r"[^\W_]+")

_NAME = "shop_fold(name)"


class WordSimilar(Func):
    """`text <<% shop_fold(name)`: the words are close to a run of whole words of the folded
    name (pg_trgm strict word similarity at least pg_trgm.strict_word_similarity_threshold,
    0.5: "bots" is 0.57 to "boots" and 0.33 to "bottle"); trigram GIN index
    product_name_fold_trgm_idx."""

    template = "%(expressions)s"
    arg_joiner = " <<%% "
    output_field = BooleanField()


def _typo(found: Terms) -> Q:
    """Every word close to a word of the folded name (one word each: "cotton lamp" is not
    close to "Organic Cotton Tee" because "cotton" is)."""
    close = Q()
    for word in found.words:
        close &= Q(WordSimilar(Value(word), Fold("name")))
    return close


def _tsquery(found: Terms) -> SearchQuery:
    return SearchQuery(found.tsquery, config="english", search_type="raw")


@dataclass(frozen=True)
class Terms:
    """A search text as search uses it: folded words, at most MAX_WORDS."""

    words: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def tsquery(self) -> str:
        """Every word, as to_tsquery syntax: the words are letters and digits only."""
        return " & ".join(self.words)


def terms(q: str) -> Terms:
    words = [word[:MAX_WORD] for word in _WORD.findall(fold(q))]
    return Terms(tuple(words[:MAX_WORDS]))


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def stem(word: str) -> str:
    """A plain English ending off (SQLite only; PostgreSQL stems with its dictionary)."""
    for ending, replacement, shortest in (("ies", "y", 5), ("sses", "ss", 5), ("ches", "ch", 5),
                                          ("shes", "sh", 5), ("xes", "x", 4), ("ing", "", 6),
                                          ("ed", "", 5), ("s", "", 5)):
        if len(word) >= shortest and word.endswith(ending) and not word.endswith("ss"):
            return word[: -len(ending)] + replacement
    return word


def matching(
    queryset: QuerySet[Product], found: Terms, *, typo: bool | None = None
) -> QuerySet[Product]:
    """`queryset` narrowed to the products the words match (unordered): by full text, or, on
    PostgreSQL and `typo` true, by trigrams (a typo) instead. A search is corrected only when
    full text finds nothing ("boot" finds the boots, not also "Photo Booth Lamp", 0.57 close):
    `typo=None` lets the database decide in the same query (an uncorrelated NOT EXISTS of the
    full-text matches, evaluated once); callers that counted the tiers pass which. Running the
    trigram index beside full text for every search cost most of the time of a word in 1% of
    the names at 100,000 products: the relevance tiers and the facets never do it."""
    if not found.words:
        return queryset
    if is_postgres():
        full_text = Q(search_vector=_tsquery(found))
        if typo is None:
            return queryset.filter(
                full_text | (_typo(found) & ~Exists(queryset.filter(full_text)))
            )
        return queryset.filter(_typo(found) if typo else full_text)
    # " " + the folded text: a word matches at the start of a word ("boot" in "boots", not
    # "oot" in "boots")
    queryset = queryset.annotate(
        _fold_name=Concat(Value(" "), Fold("name")),
        _fold_category=Concat(Value(" "), Fold("category__name")),
        _fold_parent=Concat(Value(" "), Fold("category__parent__name")),
    )
    for word in found.words:
        part = " " + stem(word)
        queryset = queryset.filter(
            Q(_fold_name__contains=part) | Q(_fold_category__contains=part)
            | Q(_fold_parent__contains=part)
        )
    return queryset


def has_typo_tier(found: Terms) -> bool:
    """Whether a search has the typo tier: PostgreSQL (trigrams), words to correct."""
    return bool(found.words) and is_postgres()


def tiers(found: Terms) -> list[Q]:
    """Relevance as tiers of the full-text matches (`matching(..., typo=False)`), best first,
    each listed newest first: every product it finds is in exactly one. PostgreSQL: every word
    in the name (weight A), then the words anywhere (the category names). SQLite: every word in
    the name, then the rest. Then, only when these are all empty and `has_typo_tier`, the
    products `matching(..., typo=True)` finds, newest first. Tiers, not a score per row: each
    tier is walked along the created_at index and stops after a page, so a common word costs a
    page, not a sort of every match (a score per row cost 70 ms for a word in 9% of 100,000
    names)."""
    if not found.words:
        return [Q()]
    if is_postgres():
        in_name = Q(search_vector=SearchQuery(
            " & ".join(f"{word}:A" for word in found.words), config="english", search_type="raw"
        ))
        return [in_name, ~in_name]
    in_name = Q()
    for word in found.words:
        in_name &= Q(_fold_name__contains=" " + stem(word))
    return [in_name, ~in_name]


# --- did you mean


def _candidate_names(found: Terms) -> list[str]:
    """Folded names that share letters with the words: PostgreSQL asks the trigram index with
    a looser threshold than search uses; SQLite reads the names (a development catalog)."""
    if is_postgres():
        condition = " OR ".join([f"%s <<%% {_NAME}"] * len(found.words))
        closeness = ", ".join([f"strict_word_similarity(%s, {_NAME})"] * len(found.words))
        sql = (
            f"SELECT {_NAME} FROM {Product._meta.db_table} "  # noqa: S608 - constant SQL
            f"WHERE is_active AND ({condition}) ORDER BY greatest({closeness}, 0) DESC LIMIT 50"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL pg_trgm.strict_word_similarity_threshold = 0.3")
            cursor.execute(sql, found.words + found.words)
            return [row[0] for row in cursor.fetchall()]
    names = Product.objects.filter(is_active=True).values_list("name", flat=True)[:20_000]
    return [fold(name) for name in names]


def suggestion(q: str) -> str:
    """A search text close to `q` made of words the catalog has, or "" (none, or the same)."""
    found = terms(q)
    if not found.words:
        return ""
    vocabulary = {word for name in _candidate_names(found) for word in _WORD.findall(name)}
    if not vocabulary:
        return ""
    words = []
    for word in found.words:
        close = [] if word in vocabulary else difflib.get_close_matches(
            word, vocabulary, n=1, cutoff=0.7
        )
        words.append(close[0] if close else word)
    better = " ".join(words)
    return better if better != found.text else ""


def reindex() -> int:
    """Rebuild every product's search vector (PostgreSQL; the triggers keep it otherwise):
    after a change of the text search set-up, or a bulk load with the triggers disabled.
    Returns the number of products; 0 on SQLite, which has nothing to rebuild."""
    if not is_postgres():
        return 0
    table = Product._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET search_vector = "  # noqa: S608 - constant SQL
            "catalog_product_search_vector(name, category_id)"
        )
        count = cursor.rowcount
        cursor.execute(f"ANALYZE {table}")
    return count
