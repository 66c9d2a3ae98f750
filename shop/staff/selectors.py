"""Staff reads of the staff themselves: who holds which role (staff.manage_staff)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from shop.accounts.models import User

from .access import Actor, require
from .roles import GROUP_ROLES, Perm


@dataclass(frozen=True)
class StaffRow:
    user: User
    role: str | None


def staff_members(*, actor: Actor) -> list[StaffRow]:
    require(actor, Perm.MANAGE_STAFF)
    users = list(
        User.objects.filter(Q(is_staff=True) | Q(groups__name__in=GROUP_ROLES))
        .distinct().prefetch_related("groups").order_by("email")
    )
    rows = []
    for user in users:
        names = {group.name for group in user.groups.all()}
        held = [role for group, role in GROUP_ROLES.items() if group in names]
        if user.is_superuser:
            role = "admin"
        elif not user.is_active or not user.is_staff:
            role = None
        else:
            order = ["support", "manager", "admin"]
            role = max(held, key=order.index) if held else None
        rows.append(StaffRow(user=user, role=role))
    return rows
