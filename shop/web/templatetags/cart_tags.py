"""Template helpers of the cart's forms on cached pages."""

from django import template

from shop.catalog.picker import quantity_offered

from ..views.cart import QUANTITY_CHOICES  # the private fragment offers the same

register = template.Library()


@register.filter
def quantity_choices(available: int | None) -> range:
    """1..10, or 1..N when only N (at most the low-stock threshold) are left: the quantities
    the add-to-cart form offers, never telling the exact stock above the threshold (the
    server checks the stock when the form is posted)."""
    return range(1, quantity_offered(int(available or 0), most=QUANTITY_CHOICES) + 1)
