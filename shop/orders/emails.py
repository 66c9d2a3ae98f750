"""The order confirmation email. It says what was bought, where it goes and what it cost; of
the card, only the brand and the last four digits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Order, OrderLine


def order_send_confirmation(*, order: Order, lines: list[OrderLine]) -> None:
    if not order.email:
        return
    context = {"order": order, "lines": lines, "shop_name": settings.SHOP_NAME}
    subject = f"Your {settings.SHOP_NAME} order {order.number} is confirmed"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("orders/email/confirmation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.email],
    )
    message.attach_alternative(
        render_to_string("orders/email/confirmation.html", context), "text/html"
    )
    message.send(fail_silently=False)
