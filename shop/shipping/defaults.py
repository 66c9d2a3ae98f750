"""The shipping methods every shop starts with (created by migration 0002_default_methods)."""

from decimal import Decimal

# (code, name, description, price, position)
DEFAULT_METHODS = [
    ("standard", "Standard delivery", "3–5 working days", Decimal("4.95"), 0),  # noqa: RUF001 - the en dash is the text shoppers see
    ("express", "Express delivery", "Next working day", Decimal("12.95"), 1),
    ("pickup", "Pick up in store", "Ready in 2 hours", Decimal("0.00"), 2),
]
