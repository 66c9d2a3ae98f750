import json
from decimal import Decimal

from django import template

register = template.Library()

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


@register.filter
def money(value, currency: str = "EUR") -> str:
    """€1,234.50 (negative: a minus sign, U+2212, then €3.00)."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    symbol = SYMBOLS.get(currency or "EUR", f"{currency} ")
    sign = "\u2212" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"


@register.filter
def money_short(value, currency: str = "EUR") -> str:
    """€1,235 (whole units, for tiles)."""
    amount = Decimal(value or 0)
    symbol = SYMBOLS.get(currency or "EUR", f"{currency} ")
    return f"{symbol}{amount:,.0f}"


@register.filter
def humanize_kind(value: str) -> str:
    return (value or "").replace("_", " ").replace(".", " · ")


@register.filter
def detail_pairs(details) -> list[tuple[str, str]]:
    """An event's details as (key, text) pairs, empty values left out, lists joined."""
    pairs = []
    for key, value in (details or {}).items():
        if value in ("", None, [], {}):
            continue
        if isinstance(value, list | tuple):
            value = ", ".join(str(item) for item in value)
        pairs.append((str(key), str(value)))
    return pairs


@register.filter
def json_attr(value) -> str:
    """A value as JSON, for a hidden input (the template escapes it for the attribute)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=False)
