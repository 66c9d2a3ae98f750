"""Staff roles: Django groups holding the staff permissions of models.py.

| role    | may                                                                              |
|---------|----------------------------------------------------------------------------------|
| support | dashboard overview, read orders and customers                                    |
| manager | support + fulfil/cancel orders, refunds, order export, catalog, stock            |
| admin   | manager + security events, alerts, audit log, staff roles, every unlisted route  |

A superuser is an admin. Who may do what is asked of the principal on every request
(`principal_has`), from the database: nothing about permissions is kept between requests
beyond Django's per-request cache on the user object, so a role removed is gone at the very
next request.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from shop.accounts.principal import Principal

from .models import STAFF_PERMISSIONS


class Perm:
    """The permission strings, as user.has_perm() takes them."""

    VIEW_DASHBOARD = "staff.view_dashboard"
    VIEW_ORDERS = "staff.view_orders"
    VIEW_CUSTOMERS = "staff.view_customers"
    CHANGE_ORDER_STATUS = "staff.change_order_status"
    REFUND_ORDER = "staff.refund_order"
    EXPORT_ORDERS = "staff.export_orders"
    MANAGE_CATALOG = "staff.manage_catalog"
    ADJUST_STOCK = "staff.adjust_stock"
    VIEW_SECURITY = "staff.view_security"
    MANAGE_STAFF = "staff.manage_staff"
    ADMIN = "staff.admin"


SUPPORT = "support"
MANAGER = "manager"
ADMIN = "admin"

_SUPPORT = ("view_dashboard", "view_orders", "view_customers")
_MANAGER = (
    *_SUPPORT,
    "change_order_status",
    "refund_order",
    "export_orders",
    "manage_catalog",
    "adjust_stock",
)
_ADMIN = tuple(codename for codename, _ in STAFF_PERMISSIONS)

# role -> (group name, permission codenames), lowest first.
ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    SUPPORT: ("Support", _SUPPORT),
    MANAGER: ("Manager", _MANAGER),
    ADMIN: ("Admin", _ADMIN),
}
ROLE_LABELS = {SUPPORT: "Support", MANAGER: "Manager", ADMIN: "Admin"}
GROUP_ROLES = {group: role for role, (group, _) in ROLES.items()}


def principal_has(principal: Principal | None, permission: str) -> bool:
    """True when the principal is an active staff member holding `permission`."""
    user = principal.user if principal is not None else None
    return bool(
        user is not None and user.is_active and user.is_staff and user.has_perm(permission)
    )


def role_of(user) -> str | None:
    """The user's highest staff role, or None (customers, disabled or demoted staff)."""
    if user is None or not user.is_active or not user.is_staff:
        return None
    if user.is_superuser:
        return ADMIN
    names = set(user.groups.filter(name__in=GROUP_ROLES).values_list("name", flat=True))
    held = [role for role, (group, _) in ROLES.items() if group in names]
    return held[-1] if held else None


def roles_sync() -> None:
    """Make the role groups hold exactly the permissions declared here."""
    available = {
        permission.codename: permission
        for permission in Permission.objects.filter(content_type__app_label="staff")
    }
    for group_name, codenames in ROLES.values():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.set([available[c] for c in codenames if c in available])


def roles_sync_after_migrate(sender, **kwargs) -> None:
    if getattr(sender, "label", "") == "staff":
        roles_sync()


def role_bootstrap(*, user, role: str) -> None:
    """Put a user in a role's group, without an actor or an audit record: for set-up commands
    (seed_demo). Staff use shop/staff/services.staff_role_set."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if not Group.objects.filter(name=ROLES[role][0]).exists():
        roles_sync()
    user.groups.remove(*Group.objects.filter(name__in=GROUP_ROLES))
    user.groups.add(Group.objects.get(name=ROLES[role][0]))
