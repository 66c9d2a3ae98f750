"""docs/threats.md cases 14-15: every dashboard page and staff API route, for anonymous, a
shopper, support, manager and admin. Allowed actors get the page; everyone else gets a
redirect to sign in (anonymous, dashboard), 401 (anonymous, API) or 403, and not a byte of
the customer's data. Every answer is `private, no-store`."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shop.accounts.principal import Principal
from shop.catalog.models import StockAdjustment, Variant
from shop.monitoring.models import Alert, AuditEvent, SecurityEvent
from shop.orders.models import Order, OrderStatus
from shop.staff.permissions import permission_for
from shop.staff.roles import principal_has, role_of
from tests.factories import place_order
from tests.fixtures.staff import ACTORS
from tests.support.api import api_headers, web_client
from tests.support.http import REQUEST_ID


def allowed(shop, actor: str, route: str) -> bool:
    return principal_has(Principal(user=shop.user(actor), via="session"), permission_for(route))


def assert_no_store(response):
    assert response["Cache-Control"] == "private, no-store", response["Cache-Control"]


def assert_absent(shop, body: str, where: str):
    leaked = [secret for secret in shop.secrets if secret in body]
    assert not leaked, f"{where} leaked {leaked}"


def get_routes(shop) -> dict[str, str]:
    Alert.objects.create(rule="object_enumeration", severity="high",
                         subject=f"user {shop.customer.pk}",
                         summary=f"enumeration by {shop.customer.email}")
    SecurityEvent.objects.create(kind="object_access_denied", user_id=shop.customer.pk,
                                 details={"who": shop.customer.email})
    return {
        "dashboard:index": reverse("dashboard:index"),
        "dashboard:order_list": reverse("dashboard:order_list") + "?status=paid",
        "dashboard:order_export": reverse("dashboard:order_export"),
        "dashboard:order_detail": reverse("dashboard:order_detail", args=[shop.order.number]),
        "dashboard:customer_list": reverse("dashboard:customer_list"),
        "dashboard:customer_detail": reverse("dashboard:customer_detail",
                                             args=[shop.customer.pk]),
        "dashboard:product_list": reverse("dashboard:product_list"),
        "dashboard:product_detail": reverse("dashboard:product_detail",
                                            args=[shop.catalog.tee.pk]),
        "dashboard:security": reverse("dashboard:security"),
        "dashboard:security_alerts": reverse("dashboard:security_alerts"),
        "dashboard:security_events": reverse("dashboard:security_events"),
        "dashboard:audit_log": reverse("dashboard:audit_log"),
        "dashboard:staff_list": reverse("dashboard:staff_list"),
    }


# Routes whose allowed answer shows the customer's data: the absence checks can fail.
SHOWS_CUSTOMER = {
    "dashboard:order_list", "dashboard:order_export", "dashboard:order_detail",
    "dashboard:customer_list", "dashboard:customer_detail", "dashboard:security",
    "dashboard:security_alerts", "dashboard:security_events",
}


@pytest.mark.parametrize("actor", ACTORS)
def test_dashboard_pages(shop, actor):
    routes = get_routes(shop)
    client = web_client(shop.user(actor))
    seen = set()
    for route, url in routes.items():
        response = client.get(url)
        body = response.content.decode()
        assert_no_store(response)
        if actor == "anonymous":
            assert response.status_code == 302, (route, response.status_code)
            assert response["Location"].startswith(reverse("web:sign_in") + "?next=")
            assert_absent(shop, body, f"{actor} {route}")
        elif not allowed(shop, actor, route):
            assert response.status_code == 403, (actor, route, response.status_code)
            assert_absent(shop, body, f"{actor} {route}")
            assert "Overview" not in body  # no dashboard chrome either
        else:
            assert response.status_code == 200, (actor, route, response.status_code)
            if route in SHOWS_CUSTOMER and any(s in body for s in shop.secrets):
                seen.add(route)
    if actor == "admin":
        assert seen == SHOWS_CUSTOMER  # the absence checks above are not vacuous
    if actor == "support":
        assert {"dashboard:order_detail", "dashboard:customer_detail"} <= seen


def test_denials_are_security_events(shop):
    for actor in ("shopper", "support"):
        web_client(shop.user(actor)).get(reverse("dashboard:staff_list"))
    events = SecurityEvent.objects.filter(kind="staff_permission_denied").order_by("pk")
    assert [(e.user_id, e.details["route"]) for e in events] == [
        (shop.other.pk, "dashboard:staff_list"), (shop.support.pk, "dashboard:staff_list"),
    ]
    assert all(e.details["permission"] == "staff.manage_staff" for e in events)
    # anonymous visitors are sent to sign in, which is not an attack
    web_client(None).get(reverse("dashboard:staff_list"))
    assert events.count() == 2


# --- actions (POST): denied actors change nothing


def fresh_order(shop, status=OrderStatus.PAID):
    return place_order(shop.customer, variant=shop.catalog.tee.variants.first(), status=status)


ACTIONS = {
    "dashboard:order_fulfil": (
        lambda shop: fresh_order(shop),
        lambda shop, o: reverse("dashboard:order_fulfil", args=[o.number]),
        {},
        lambda shop, o: Order.objects.get(pk=o.pk).status == OrderStatus.FULFILLED,
    ),
    "dashboard:order_cancel": (
        lambda shop: fresh_order(shop),
        lambda shop, o: reverse("dashboard:order_cancel", args=[o.number]),
        {"confirm": "yes", "reason": "asked by phone"},
        lambda shop, o: Order.objects.get(pk=o.pk).status == OrderStatus.CANCELLED,
    ),
    "dashboard:order_refund": (
        lambda shop: fresh_order(shop, OrderStatus.FULFILLED),
        lambda shop, o: reverse("dashboard:order_refund", args=[o.number]),
        {"confirm": "yes"},
        lambda shop, o: Order.objects.get(pk=o.pk).status == OrderStatus.REFUNDED,
    ),
    "dashboard:variant_price": (
        lambda shop: shop.catalog.mug.variants.first(),
        lambda shop, v: reverse("dashboard:variant_price", args=[v.pk]),
        {"price": "15.75"},
        lambda shop, v: str(Variant.objects.get(pk=v.pk).price) == "15.75",
    ),
    "dashboard:stock_adjust": (
        lambda shop: shop.catalog.mug.variants.first(),
        lambda shop, v: reverse("dashboard:stock_adjust", args=[v.pk]),
        {"delta": "5", "reason": "received"},
        lambda shop, v: StockAdjustment.objects.filter(variant=v).exists(),
    ),
    "dashboard:alert_ack": (
        lambda shop: Alert.objects.create(rule="r", severity="high", subject="s", summary="x"),
        lambda shop, a: reverse("dashboard:alert_ack", args=[a.pk]),
        {},
        lambda shop, a: Alert.objects.get(pk=a.pk).acknowledged_at is not None,
    ),
    "dashboard:staff_role": (
        lambda shop: shop.customer,
        lambda shop, u: reverse("dashboard:staff_role"),
        {"email": "wilhelmina.z@example.com", "role": "support"},
        lambda shop, u: role_of(type(u).objects.get(pk=u.pk)) == "support",
    ),
}


@pytest.mark.parametrize("route", sorted(ACTIONS))
@pytest.mark.parametrize("actor", ACTORS)
def test_dashboard_actions(shop, actor, route):
    make, url_of, data, happened = ACTIONS[route]
    target = make(shop)
    audits = AuditEvent.objects.count()
    client = web_client(shop.user(actor))
    response = client.post(url_of(shop, target), data)
    assert_no_store(response)
    if actor == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:sign_in"))
    elif not allowed(shop, actor, route):
        assert response.status_code == 403, (actor, route)
        assert_absent(shop, response.content.decode(), f"{actor} {route}")
    else:
        assert response.status_code == 302, (actor, route, response.status_code)
        assert happened(shop, target), (actor, route)
        assert AuditEvent.objects.count() == audits + 1, (actor, route)
        return
    assert not happened(shop, target), (actor, route)
    assert AuditEvent.objects.count() == audits


def test_get_is_not_an_action(shop):
    client = web_client(shop.admin)
    response = client.get(reverse("dashboard:order_fulfil", args=[shop.order.number]))
    assert response.status_code == 405
    assert Order.objects.get(pk=shop.order.pk).status == OrderStatus.PAID


# --- the staff API


def api_routes(shop) -> dict[str, str]:
    return {
        "api:admin_order_list": "/api/v1/admin/orders",
        "api:admin_order_detail": f"/api/v1/admin/orders/{shop.order.number}",
        "api:admin_audit_events": "/api/v1/admin/audit-events?action=order.search",
        "api:admin_security_events": "/api/v1/admin/security-events",
    }


def assert_api_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "request_id"}
    assert body["error"]["code"] == code
    assert REQUEST_ID.match(body["error"]["request_id"])
    assert body["error"]["request_id"] == response["X-Request-ID"]
    return body


@pytest.mark.parametrize("actor", ACTORS)
def test_staff_api(shop, client, actor):
    SecurityEvent.objects.create(kind="object_access_denied", user_id=shop.customer.pk,
                                 details={"who": shop.customer.email})
    # a staff read of the customer, so that the audit log holds her email
    web_client(shop.admin).get(reverse("dashboard:order_list") + "?q=wilhelmina.z@example.com")
    for route, url in api_routes(shop).items():
        response = client.get(url, **api_headers(shop.user(actor)))
        assert_no_store(response)
        body = response.content.decode()
        if actor == "anonymous":
            assert_api_error(response, 401, "not_authenticated")
            assert response["WWW-Authenticate"].startswith("Bearer")
            assert_absent(shop, body, f"{actor} {route}")
        elif not allowed(shop, actor, route):
            assert_api_error(response, 403, "forbidden")
            assert_absent(shop, body, f"{actor} {route}")
        else:
            assert response.status_code == 200, (actor, route, body)
            assert shop.customer.email in body or (route == "api:admin_security_events" and (
                str(shop.customer.pk) in body
            )), (actor, route)


def test_a_staff_session_cookie_is_not_an_api_credential(shop):
    """The API only believes bearer tokens: an admin's browser session gets a 401."""
    client = web_client(shop.admin)
    for url in api_routes(shop).values():
        response = client.get(url)
        assert_api_error(response, 401, "not_authenticated")
        assert_absent(shop, response.content.decode(), url)
