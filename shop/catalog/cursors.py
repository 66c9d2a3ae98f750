"""The API's list cursors: opaque to a client, checked to the last field when they come back
(a cursor from another sort, a forged or truncated one is InvalidInput, never a 500)."""

import base64
import binascii
import datetime as dt
from decimal import Decimal, InvalidOperation

import orjson

from shop.core.errors import InvalidInput

MAX_PRICE = Decimal("99999999.99")
RELEVANCE = "relevance"


def encode_keyset(sort: str, field: str, product) -> str:
    """The cursor after `product` in a list sorted by `field` (`sort` is its name)."""
    value = getattr(product, field)
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    raw = orjson.dumps([sort, str(value), product.pk])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_keyset(cursor: str, sort: str, field: str) -> tuple[object, int]:
    """A cursor made by encode_keyset for the same sort, or InvalidInput."""
    invalid = InvalidInput(
        "The cursor is not valid for this list; start again from the first page."
    )
    if len(cursor) > 400:
        raise invalid
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, value, pk = orjson.loads(raw)
    except (binascii.Error, ValueError, TypeError, orjson.JSONDecodeError):
        raise invalid from None
    if cursor_sort != sort or not isinstance(value, str) or type(pk) is not int:
        raise invalid
    if not 0 < pk < 2**63 or "\x00" in value:
        raise invalid
    try:
        if field == "price":
            parsed: object = Decimal(value)
            if not (parsed.is_finite() and Decimal(0) <= parsed <= MAX_PRICE):  # type: ignore[attr-defined, operator]
                raise invalid
        elif field == "created_at":
            parsed = dt.datetime.fromisoformat(value)
            if parsed.utcoffset() is None:
                raise invalid
            parsed = parsed.astimezone(dt.UTC)  # OverflowError near year 1 or 9999
        else:
            parsed = value
    except (InvalidOperation, ValueError, OverflowError):
        raise invalid from None
    return parsed, pk


def encode_tier(tier: int, product) -> str:
    """The cursor after `product` of relevance tier `tier` (newest first within a tier)."""
    raw = orjson.dumps([RELEVANCE, tier, product.created_at.isoformat(), product.pk])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_tier(cursor: str) -> tuple[int, dt.datetime, int]:
    invalid = InvalidInput(
        "The cursor is not valid for this list; start again from the first page."
    )
    try:
        sort, tier, created, pk = orjson.loads(
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        )
        when = dt.datetime.fromisoformat(created).astimezone(dt.UTC)
    except (binascii.Error, ValueError, TypeError, OverflowError, orjson.JSONDecodeError):
        raise invalid from None
    if sort != RELEVANCE or type(tier) is not int or not 0 <= tier < 3 or type(pk) is not int:
        raise invalid
    if not 0 < pk < 2**63 or when.utcoffset() is None:
        raise invalid
    return tier, when, pk
