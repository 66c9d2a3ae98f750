"""A guest erases the personal data of one guest order (GDPR art. 17), proving it with the
order token as for reading it (shop/policy/access.py `access_guest_order`).

The same rule and the same placeholders as an account's erasure (services.py): refused while
the order is open (waiting for payment, paid but not shipped, money moving: the address is
needed to deliver what was paid for); otherwise the order is detached from the person (e-mail
blank, "Erased customer", "(erased)" address, phone blank; the country, totals, lines,
payments and dates stay for the books), the token stops opening it (its stored hash is
replaced by the hash of nothing anyone holds, the nonce it was derived from is dropped), the
guest's idempotency keys (keyed by a hash of the e-mail) are deleted, the discount use stays
counted without the address, an audit event is recorded, and a confirmation is queued in the
outbox to the old address, in the same transaction. The outbox row forgets the address once
the e-mail is out (tasks.py).

Only this order: other guest orders placed with the same address, and an account with that
address, are not touched (that would be erasure by e-mail alone).
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.db import transaction
from django.http import HttpRequest

from shop.accounts.principal import Principal
from shop.core.errors import NotFound
from shop.core.request_context import current_request_id
from shop.discounts.models import DiscountRedemption
from shop.monitoring import metrics
from shop.monitoring.client import client_ip
from shop.monitoring.models import AuditEvent
from shop.orders.guest_tokens import order_token_hash
from shop.orders.models import GuestOrder, IdempotencyKey, Order
from shop.orders.selectors import order_is_open
from shop.policy.access import ORDER_NOT_FOUND, access_guest_order

from .errors import GuestOrderOpen
from .services import orders_anonymise
from .tasks import guest_erasure_email_queue

logger = logging.getLogger("shop.privacy")

AUDIT_GUEST_ERASE = "guest_order.erase"


def guest_order_for_erasure(*, viewer: Principal, number: str, token: str) -> Order:
    """The guest order the token opens, when it may be erased now. NotFound (the lookup's
    404) or GuestOrderOpen (409)."""
    order = access_guest_order(viewer=viewer, number=number, token=token)
    if order_is_open(order=order):
        raise GuestOrderOpen()
    return order


def guest_order_erase(*, request: HttpRequest, viewer: Principal, number: str, token: str,
                      via: str) -> None:
    """Erases the personal data of the guest order `token` opens (see the module docstring).
    Raises NotFound (a wrong token, or erased or claimed a moment ago) or GuestOrderOpen."""
    order = guest_order_for_erasure(viewer=viewer, number=number, token=token)
    with transaction.atomic():
        locked = Order.objects.select_for_update().filter(pk=order.pk, user__isnull=True).first()
        if locked is None or not GuestOrder.objects.filter(
                order_id=order.pk, claimed_at=None, token_hash=order_token_hash(token)).exists():
            raise NotFound(ORDER_NOT_FOUND)
        if order_is_open(order=locked):
            raise GuestOrderOpen()
        email = locked.email
        orders_anonymise(Order.objects.filter(pk=order.pk))
        GuestOrder.objects.filter(order_id=order.pk).update(
            token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(), nonce="",
            site_url="")
        IdempotencyKey.objects.filter(order_id=order.pk).delete()
        DiscountRedemption.objects.filter(order_id=order.pk).update(email="")
        _audit(request=request, number=locked.number, via=via)
        if email:
            guest_erasure_email_queue(email=email, number=locked.number)
    logger.info("guest order erased", extra={"order": order.number, "via": via})


def _audit(*, request: HttpRequest, number: str, via: str) -> None:
    AuditEvent.objects.create(
        actor_id=None, actor_email="", actor_role="guest", action=AUDIT_GUEST_ERASE,
        object_type="order", object_id=number, customer_id=None,
        ip=client_ip(request) or None,
        request_id=(getattr(request, "request_id", "") or current_request_id())[:64],
        via=via, details={"order": number},
    )
    metrics.AUDIT_EVENTS.labels(action=AUDIT_GUEST_ERASE).inc()
    logging.getLogger("shop.audit").info(
        "audit event", extra={"event": "audit", "action": AUDIT_GUEST_ERASE,
                              "object": f"order:{number}"})
