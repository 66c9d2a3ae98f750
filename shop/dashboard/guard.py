"""The dashboard's side of the permission map (shop/staff/permissions.py): every route of its
URL conf is wrapped in `guard` by `staff_urls`, after Oscar's post_process_urls. Anonymous
visitors are sent to sign in; anyone without the route's permission gets the generic 403 and
a security event."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, reverse

from shop.accounts.principal import ANONYMOUS
from shop.core.views import error_response
from shop.staff.access import actor_from_request, permission_denied_record
from shop.staff.permissions import permission_for
from shop.staff.roles import principal_has


def _sign_in_redirect(request: HttpRequest) -> HttpResponse:
    target = request.get_full_path() if request.method == "GET" else reverse("dashboard:index")
    return HttpResponseRedirect(f"{reverse('web:sign_in')}?{urlencode({'next': target})}")


def guard(view, *, route: str):
    """The view behind the permission `route` needs: anonymous visitors are sent to sign in,
    anyone without the permission gets the generic 403 (and a security event)."""
    permission = permission_for(route)

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        principal = getattr(request, "principal", None) or ANONYMOUS
        if not principal.is_authenticated:
            return _sign_in_redirect(request)
        if not principal_has(principal, permission):
            permission_denied_record(request, route=route, permission=permission)
            return error_response(request, 403)
        request.staff_actor = actor_from_request(request, via="dashboard")
        return view(request, *args, **kwargs)

    guarded.staff_permission = permission
    return guarded


def staff_urls(patterns: list, *, namespace: str) -> list:
    """Wraps every route of a staff URL conf in `guard`, with its permission from the map."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            staff_urls(pattern.url_patterns, namespace=namespace)
        elif isinstance(pattern, URLPattern):
            route = f"{namespace}:{pattern.name}"
            pattern.callback = guard(pattern.callback, route=route)
    return patterns
