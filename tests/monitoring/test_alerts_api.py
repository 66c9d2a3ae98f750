"""GET /api/v1/admin/alerts and POST /api/v1/admin/alerts/{id}/acknowledge (SPEC 4.1): admins
only, newest first, the SPEC's fields, acknowledging audited once."""

from shop.monitoring import alerts
from shop.monitoring.models import Alert, AuditEvent
from tests.support.api import api_headers

FIELDS = {"id", "rule", "severity", "subject", "summary", "event_count", "first_seen",
          "last_seen", "acknowledged_at"}


def raise_enumeration_alert(ip: str) -> Alert:
    for _ in range(20):
        alerts.observe(kind=alerts.OBJECT_LOOKUP_MISSED, ip=ip)
    return Alert.objects.get(rule="object_enumeration", subject=f"address {ip}")


def test_admins_list_alerts_newest_first(shop, client):
    older = raise_enumeration_alert("198.51.100.1")
    newer = raise_enumeration_alert("198.51.100.2")
    response = client.get("/api/v1/admin/alerts", **api_headers(shop.admin))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    items = response.json()["items"]
    assert [item["id"] for item in items] == [newer.pk, older.pk]
    assert set(items[0]) == FIELDS
    assert items[0]["rule"] == "object_enumeration"
    assert items[0]["event_count"] == 20
    assert items[0]["acknowledged_at"] is None


def test_acknowledging_is_audited_once_and_shows_in_the_list(shop, client):
    alert = raise_enumeration_alert("198.51.100.3")
    url = f"/api/v1/admin/alerts/{alert.pk}/acknowledge"
    first = client.post(url, **api_headers(shop.admin))
    assert first.status_code == 200
    assert first.json()["acknowledged_at"] is not None
    again = client.post(url, **api_headers(shop.admin))
    assert again.json()["acknowledged_at"] == first.json()["acknowledged_at"]
    assert AuditEvent.objects.filter(action="alert.acknowledge", object_id=str(alert.pk),
                                     actor_id=shop.admin.pk).count() == 1
    open_only = client.get("/api/v1/admin/alerts?open=true", **api_headers(shop.admin))
    assert alert.pk not in [item["id"] for item in open_only.json()["items"]]
    missing = client.post("/api/v1/admin/alerts/999999/acknowledge", **api_headers(shop.admin))
    assert missing.status_code == 404


def test_only_admins(shop, client):
    alert = raise_enumeration_alert("198.51.100.4")
    for who in (shop.customer, shop.support, shop.manager):
        assert client.get("/api/v1/admin/alerts", **api_headers(who)).status_code == 403
        assert client.post(f"/api/v1/admin/alerts/{alert.pk}/acknowledge",
                           **api_headers(who)).status_code == 403
    assert client.get("/api/v1/admin/alerts").status_code == 401
    assert Alert.objects.get(pk=alert.pk).acknowledged_at is None
