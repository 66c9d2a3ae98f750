"""The audit log: every staff read of a customer's data and every staff change.

Who (actor id, email, role), what (action, object), which customer, when, from which address,
with which request id and through which interface. Append-only (models.AuditEvent).

Staff selectors and services take an `Actor` (shop/staff/access.py, built once per request by
`actor_from_request`) and call `audit_record` themselves, inside the same transaction as the
change they audit, so
that a change is never made without its record and a read is recorded once per request.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Protocol

from . import metrics
from .events import details_clean
from .models import AuditEvent

logger = logging.getLogger("shop.audit")

# A card number typed into a search box must not end up in the log: runs of 12+ digits
# (spaces and dashes allowed between them) are blanked out of every text detail.
_LONG_NUMBER = re.compile(r"\d(?:[ -]?\d){11,}")


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _LONG_NUMBER.sub("[number removed]", value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


class Action:
    ORDER_READ = "order.read"
    ORDER_SEARCH = "order.search"
    ORDER_LIST = "order.list"
    ORDER_EXPORT = "order.export"
    ORDER_STATUS = "order.status_change"
    ORDER_CANCEL = "order.cancel"
    ORDER_REFUND = "order.refund"
    CUSTOMER_READ = "customer.read"
    CUSTOMER_SEARCH = "customer.search"
    VARIANT_PRICE = "variant.price_change"
    PRODUCT_CREATE = "product.create"
    PRODUCT_UPDATE = "product.update"
    PRODUCT_IMAGE = "product.image_add"
    STOCK_ADJUST = "stock.adjust"
    ROLE_CHANGE = "staff.role_change"
    ALERT_ACK = "alert.acknowledge"


class AuditActor(Protocol):
    """Who acts, as the audit log records it (shop.staff.access.Actor is the one in use)."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def email(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def ip(self) -> str: ...

    @property
    def request_id(self) -> str: ...

    @property
    def via(self) -> str: ...


def audit_record(
    *,
    actor: AuditActor,
    action: str,
    object_type: str,
    object_id: str | int = "",
    customer_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent.objects.create(
        actor_id=actor.user_id,
        actor_email=actor.email[:254],
        actor_role=actor.role,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        customer_id=customer_id,
        ip=actor.ip or None,
        request_id=actor.request_id[:64],
        via=actor.via,
        details=_scrub(details_clean(details or {})),
    )
    metrics.AUDIT_EVENTS.labels(action=action).inc()
    logger.info(
        "audit event",
        extra={
            "event": "audit",
            "action": action,
            "actor_id": actor.user_id,
            "object": f"{object_type}:{object_id}",
            "customer_id": customer_id,
        },
    )
    return event
