"""What every dashboard page shares: the actor, the navigation the role allows, rendering."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from shop.staff.access import Actor
from shop.staff.roles import ROLE_LABELS, Perm, principal_has


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    icon: str


NAV = (
    ("overview", "Overview", "dashboard:index", Perm.VIEW_DASHBOARD, "grid"),
    ("orders", "Orders", "dashboard:order_list", Perm.VIEW_ORDERS, "box"),
    ("customers", "Customers", "dashboard:customer_list", Perm.VIEW_CUSTOMERS, "users"),
    ("products", "Products & stock", "dashboard:product_list", Perm.MANAGE_CATALOG, "tag"),
    ("discounts", "Discount codes", "dashboard:discount_list", Perm.MANAGE_CATALOG, "tag"),
    ("taxes", "Tax rates", "dashboard:tax_rates", Perm.ADMIN, "grid"),
    ("security", "Security", "dashboard:security", Perm.VIEW_SECURITY, "shield"),
    ("staff", "Staff", "dashboard:staff_list", Perm.MANAGE_STAFF, "key"),
)


def actor(request: HttpRequest) -> Actor:
    return request.staff_actor


def can(request: HttpRequest, permission: str) -> bool:
    return principal_has(request.principal, permission)


def nav_for(request: HttpRequest) -> list[NavItem]:
    return [
        NavItem(key, label, reverse(name), icon)
        for key, label, name, permission, icon in NAV
        if can(request, permission)
    ]


def render_page(request: HttpRequest, template: str, context: dict, *, section: str,
                status: int = 200) -> HttpResponse:
    staff_actor = actor(request)
    user = request.principal.user
    context = {
        **context,
        "nav": nav_for(request),
        "section": section,
        "staff_name": user.name or user.email,
        "staff_email": user.email,
        "staff_role": ROLE_LABELS.get(staff_actor.role, "Staff"),
    }
    return render(request, template, context, status=status)
