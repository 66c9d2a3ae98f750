"""Security events from the whole shop feed the anomaly rules (shop/monitoring/alerts.py):
an enumeration burst, a refresh-token replay, a tripped ownership guard and a sign-in burst
each raise one alert, which the dashboard's security page shows and the log says as a
distinct JSON event."""

import json
import secrets

import pytest
from django.urls import reverse

from shop.accounts.tokens import token_pair_issue
from shop.monitoring import alerts
from shop.monitoring.models import Alert, SecurityEvent
from tests.support.api import api_headers, web_client

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def random_number() -> str:
    return "BFM-" + "".join(secrets.choice(ALPHABET) for _ in range(10))


def without_request_id(response) -> dict:
    body = response.json()
    body["error"].pop("request_id")
    return body


def security_page(shop) -> str:
    response = web_client(shop.admin).get(reverse("dashboard:security"))
    assert response.status_code == 200
    return response.content.decode()


def test_another_users_order_is_a_404_like_a_missing_one_and_a_security_event(shop, client):
    headers = api_headers(shop.other)
    theirs = client.get(f"/api/v1/orders/{shop.order.number}", **headers)
    missing = client.get(f"/api/v1/orders/{random_number()}", **headers)
    assert theirs.status_code == missing.status_code == 404
    assert without_request_id(theirs) == without_request_id(missing)
    (event,) = SecurityEvent.objects.filter(kind="object_access_denied")
    assert event.user_id == shop.other.pk
    assert event.details == {"object": "order", "via": "token"}
    assert event.path == f"/api/v1/orders/{shop.order.number}"
    assert event.request_id == theirs["X-Request-ID"]
    assert event.ip == "127.0.0.1"
    # the storefront's order page too
    web_client(shop.other).get(f"/account/orders/{shop.order.number}/")
    assert SecurityEvent.objects.filter(kind="object_access_denied").count() == 2


def test_an_enumeration_burst_raises_one_alert_shown_on_the_security_page(shop, client,
                                                                           app_log):
    headers = api_headers(shop.other)
    for _ in range(12):
        assert client.get(f"/api/v1/orders/{shop.order.number}", **headers).status_code == 404
    assert not Alert.objects.exists()
    for _ in range(13):  # misses of numbers that do not exist count too
        client.get(f"/api/v1/orders/{random_number()}", **headers)
    alert = Alert.objects.get(rule="object_enumeration", subject=f"user {shop.other.pk}")
    assert alert.severity == "high"
    # one alert per rule and subject: the rest of the burst adds to it
    assert alert.event_count >= 5
    by_address = Alert.objects.get(rule="object_enumeration", subject="address 127.0.0.1")
    assert by_address.pk != alert.pk
    page = security_page(shop)
    assert "object_enumeration" in page
    assert f"user {shop.other.pk}" in page
    logged = [r for r in app_log.snapshot() if getattr(r, "event", "") == "security_alert"]
    assert {r.rule for r in logged} == {"object_enumeration"}
    assert len(logged) == 2
    assert SecurityEvent.objects.filter(kind="alert_raised").count() == 2


def test_twenty_misses_from_one_address_without_an_account(shop):
    """Anonymous enumeration cannot reach order lookups (sign-in first); the per-address
    counter still catches a signed-in attacker rotating accounts."""
    for user in (shop.other, shop.customer):
        for _ in range(10):
            alerts.observe(kind=alerts.OBJECT_LOOKUP_MISSED, user_id=user.pk, ip="192.0.2.9")
    assert Alert.objects.filter(subject="address 192.0.2.9").count() == 1
    assert not Alert.objects.filter(subject__startswith="user").exists()


def test_a_refresh_token_replay_raises_an_alert(shop, client):
    pair = token_pair_issue(user=shop.customer)
    body = json.dumps({"refresh": pair.refresh})
    first = client.post("/api/v1/auth/refresh", body, content_type="application/json")
    assert first.status_code == 200
    replay = client.post("/api/v1/auth/refresh", body, content_type="application/json")
    assert replay.status_code == 401
    alert = Alert.objects.get(rule="refresh_token_replay")
    assert alert.subject == f"user {shop.customer.pk}"
    assert "refresh_token_replay" in security_page(shop)


def test_an_ownership_guard_trip_raises_a_critical_alert(shop, client, monkeypatch):
    from shop.orders.models import Order
    from shop.policy import access

    def leaky_access_order(*, viewer, number, with_lines=True):  # the planted bug
        return Order.objects.prefetch_related("lines").get(number=number)

    monkeypatch.setattr(access, "access_order", leaky_access_order)
    response = client.get(f"/api/v1/orders/{shop.order.number}", **api_headers(shop.other))
    assert response.status_code == 500
    alert = Alert.objects.get(rule="ownership_guard_tripped")
    assert (alert.severity, alert.subject) == ("critical", f"user {shop.other.pk}")
    assert "ownership_guard_tripped" in security_page(shop)


def test_a_sign_in_failure_burst_raises_an_alert(shop, client):
    for n in range(10):
        client.post("/api/v1/auth/token",
                    json.dumps({"email": f"guess{n}@example.com", "password": "wrong" * 3}),
                    content_type="application/json", REMOTE_ADDR="198.51.100.23")
    alert = Alert.objects.get(rule="signin_failure_burst")
    assert alert.subject == "address 198.51.100.23"
    assert alert.severity == "warning"


def test_staff_permission_probing_raises_an_alert(shop):
    client = web_client(shop.support)
    for _ in range(5):
        assert client.get(reverse("dashboard:staff_list")).status_code == 403
    assert Alert.objects.get(rule="staff_permission_probe").subject == f"user {shop.support.pk}"


def test_the_alerts_fragment_polled_by_the_page(shop):
    alerts.observe(kind="refresh_replay", user_id=shop.customer.pk)
    admin = web_client(shop.admin)
    fragment = admin.get(reverse("dashboard:security_alerts"))
    assert fragment.status_code == 200
    assert fragment["Cache-Control"] == "private, no-store"
    assert "refresh_token_replay" in fragment.content.decode()
    page = admin.get(reverse("dashboard:security")).content.decode()
    assert 'hx-get="/dashboard/security/alerts"' in page
    assert 'hx-trigger="every 5s"' in page


def test_acknowledging_an_alert(shop):
    (alert,) = alerts.observe(kind="refresh_replay", user_id=shop.customer.pk)
    web_client(shop.admin).post(reverse("dashboard:alert_ack", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.acknowledged_by_id == shop.admin.pk


def test_no_secret_reaches_an_event(shop, client):
    client.post("/api/v1/auth/token",
                json.dumps({"email": shop.customer.email, "password": "hunter2-secret-guess"}),
                content_type="application/json")
    client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer eyJhbGciOiJub25lIn0.e30.forged")
    stored = json.dumps(list(SecurityEvent.objects.values("details", "path")))
    for secret in ("hunter2-secret-guess", "eyJhbGciOiJub25lIn0", "forged"):
        assert secret not in stored


@pytest.mark.parametrize("rule", alerts.RULES, ids=lambda r: r.name)
def test_every_rule_fires_at_its_threshold_and_not_before(db, rule):
    kind = sorted(rule.kinds)[0]
    for _ in range(rule.threshold - 1):
        alerts.observe(kind=kind, user_id=41, ip="203.0.113.41")
    assert not Alert.objects.filter(rule=rule.name).exists()
    raised = alerts.observe(kind=kind, user_id=41, ip="203.0.113.41")
    assert rule.name in {alert.rule for alert in raised}


def test_a_broken_cache_never_breaks_the_request(db, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "add", down)
    assert alerts.observe(kind="token_invalid", ip="203.0.113.1") == []
