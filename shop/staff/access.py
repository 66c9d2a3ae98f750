"""The one check every staff selector and service starts with: the actor's role holds the
permission. The routes check it first (shop/dashboard/permissions.py); this is the second
line, for the day a route is wired to the wrong permission."""

from shop.monitoring.audit import Actor

from .errors import StaffForbidden
from .roles import principal_has


def require(actor: Actor, permission: str) -> None:
    if not principal_has(actor.principal, permission):
        raise StaffForbidden()
