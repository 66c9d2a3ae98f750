"""The customer's order e-mails: confirmation, shipped (with the carrier and tracking number),
cancelled, refunded, and "not completed" (a checkout that was never charged). Each says what
happened and what it cost; of the card, only the brand and the last four digits.

They are rendered from the database when the outbox worker delivers them
(shop/orders/tasks.py), not from what the request had in memory: an order anonymised
meanwhile (the account was erased) has no address left, and gets no e-mail.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .guest_tokens import guest_link
from .models import GuestOrder, Order, Refund

SUBJECTS = {
    "confirmation": "Your {shop} order {number} is confirmed",
    "fulfilled": "Your {shop} order {number} is on its way",
    "cancelled": "Your {shop} order {number} has been cancelled",
    "refunded": "A refund for your {shop} order {number}",
    "not_charged": "Your {shop} order {number} was not completed",
}
TEMPLATES = {
    "confirmation": "confirmation",
    "fulfilled": "shipped",
    "cancelled": "cancelled",
    "refunded": "refunded",
    "not_charged": "not_charged",
}


def _guest_link(order: Order) -> str:
    """A guest order's link (its token in the fragment), while no account has claimed it."""
    if order.user_id is not None:
        return ""
    guest = GuestOrder.objects.filter(order=order, claimed_at=None).select_related(
        "order").first()
    return guest_link(guest) if guest is not None else ""


def order_email_build(*, order: Order, kind: str, refund: Refund | None = None
                      ) -> EmailMultiAlternatives | None:
    """The e-mail of `kind` about `order`, or None when there is nobody to write to."""
    if not order.email:
        return None
    context = {"order": order, "lines": list(order.lines.all()), "refund": refund,
               "shop_name": settings.SHOP_NAME, "guest_link": _guest_link(order),
               "tax_percent": f"{(order.tax_rate * 100).normalize():f}" if order.tax_rate else ""}
    name = TEMPLATES[kind]
    message = EmailMultiAlternatives(
        subject=SUBJECTS[kind].format(shop=settings.SHOP_NAME, number=order.number),
        body=render_to_string(f"orders/email/{name}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.email],
    )
    message.attach_alternative(render_to_string(f"orders/email/{name}.html", context),
                               "text/html")
    return message
