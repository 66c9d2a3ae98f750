"""Template helpers of the cart's forms on cached pages."""

from django import template

from ..views.cart import QUANTITY_CHOICES  # the private fragment offers the same

register = template.Library()


@register.filter
def quantity_choices(available: int | None) -> range:
    """1..min(10, available): the quantities the add-to-cart form offers (the server checks
    the stock again when the form is posted)."""
    return range(1, min(QUANTITY_CHOICES, max(int(available or 0), 0)) + 1)
