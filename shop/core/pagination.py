"""The one page type and the rules every keyset-paginated list shares.

A list answers a page of items and the cursor of the next page (None on the last one). The
cursor is whatever the list keys on (an order number, an id, an opaque token), never an
offset: one query a page, whatever the page number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from .errors import InvalidInput

T = TypeVar("T")

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_SEARCH = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def page_limit(limit: int, maximum: int = MAX_PAGE_SIZE) -> int:
    """The page size asked for, between 1 and `maximum`."""
    return max(1, min(int(limit), maximum))


def page_cut(rows: list[T], limit: int, cursor_of) -> Page[T]:
    """The page from `limit + 1` rows read in list order: the extra row says a next page
    exists, and `cursor_of(last item)` is its cursor."""
    items = rows[:limit]
    return Page(items=items, next_cursor=cursor_of(items[-1]) if len(rows) > limit else None)


def invalid_cursor(message: str = "The cursor is not valid for this list; start again.") -> (
    InvalidInput
):
    return InvalidInput(message, code="invalid_cursor")


def search_text(q: str, maximum: int = MAX_SEARCH) -> str:
    """What a person typed in a search box, whitespace folded; refused when too long."""
    q = " ".join((q or "").split())
    if len(q) > maximum or "\x00" in q:
        raise InvalidInput(f"Search for at most {maximum} characters.")
    return q


def page_window(current: int, last: int, *, around: int = 2) -> list[int | None]:
    """The page numbers a numbered pager shows: the first, the last, and `around` either side
    of the current one; None where numbers are left out (an ellipsis)."""
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    window: list[int | None] = []
    for number in shown:
        if window and number - (window[-1] or 0) > 1:
            window.append(None)
        window.append(number)
    return window
