"""Types of the request and response as the shop's middleware leave them, for the type
checker: Django's HttpRequest does not know the attributes our middleware set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse


class ShopRequest(HttpRequest):
    request_id: str  # shop.core.middleware.RequestContextMiddleware
    route_name: str  # shop.policy.middleware.CachePolicyMiddleware
    # shop.accounts.middleware.PrincipalMiddleware: a shop.accounts.principal.Principal
    principal: Any
    # the staff routes (shop/dashboard/guard.py, shop/api/admin.py): a shop.staff.access.Actor
    staff_actor: Any


class ShopResponse(HttpResponse):
    cache_policy_name: str  # shop.policy.middleware: the policy applied, for the access log


GetResponse = Callable[[HttpRequest], HttpResponse]
