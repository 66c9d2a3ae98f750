"""The staff actor and the one check every staff selector and service starts with: the actor's
role holds the permission. The routes check it first (shop/staff/permissions.py, applied by
shop/dashboard/guard.py and shop/api/admin.py); `require` is the second line, for the day a
route is wired to the wrong permission."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from shop.accounts.principal import Principal
from shop.core.request_context import current_request_id
from shop.monitoring.client import client_ip
from shop.monitoring.models import SecurityEventKind
from shop.monitoring.services import security_event_record

from .errors import StaffForbidden
from .roles import principal_has, role_of


@dataclass(frozen=True)
class Actor:
    """A staff member acting in one request: who, and where from (the audit log's actor)."""

    principal: Principal
    role: str
    ip: str
    request_id: str
    via: str  # "dashboard", "api"

    @property
    def user_id(self) -> int | None:
        return self.principal.user_id

    @property
    def email(self) -> str:
        user = self.principal.user
        return user.email if user is not None else ""


def actor_from_request(request: HttpRequest, *, via: str) -> Actor:
    principal = request.principal  # type: ignore[attr-defined]
    return Actor(
        principal=principal,
        role=role_of(principal.user) or "",
        ip=client_ip(request),
        request_id=getattr(request, "request_id", "") or current_request_id(),
        via=via,
    )


def require(actor: Actor, permission: str) -> None:
    if not principal_has(actor.principal, permission):
        raise StaffForbidden()


def permission_denied_record(request: HttpRequest, *, route: str, permission: str) -> None:
    """The security event of a staff route refused for want of its permission."""
    security_event_record(
        kind=SecurityEventKind.STAFF_PERMISSION_DENIED,
        request=request,
        details={"route": route, "permission": permission},
    )
