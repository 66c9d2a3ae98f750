"""Printing an address in a template, the way its country writes it (shop/core/addresses.py
`address_lines`, the one place that decides). `{% load addresses %}`, then:

- `{{ order|address_html }}`: the lines joined by <br>, each escaped (pages, HTML e-mails);
- `{{ order|address_text }}`: one line each (plain-text e-mails);
- `{{ address|address_inline }}`: on one line, comma-separated (a summary, a choice list).

Takes an order (its `ship_` fields), a saved address or a dict (a checkout's state).
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from shop.core.addresses import address_lines

register = template.Library()


@register.filter
def address_html(address: object) -> SafeString:
    return mark_safe("<br>".join(conditional_escape(line) for line in address_lines(address)))  # noqa: S308 - every line escaped


@register.filter
def address_text(address: object) -> str:
    return "\n".join(address_lines(address))


@register.filter
def address_inline(address: object) -> str:
    return ", ".join(address_lines(address))
