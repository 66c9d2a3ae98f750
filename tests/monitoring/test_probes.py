"""Probe traffic leaves a trail (issue 11: scanners found that SQL-injection, XSS,
forced-browsing and cache-deception probes, CSRF failures and malformed order numbers left no
security event): each is recorded as a `probe` event, at most a few per kind and address, and
a burst raises one alert. Ordinary traffic, a mistyped URL included, records nothing."""

import pytest
from django.test import Client

from shop.accounts.tokens import access_token_issue
from shop.monitoring.models import Alert, SecurityEvent
from shop.monitoring.probes import PROBE_EVENTS_STORED
from tests.factories import create_user

pytestmark = pytest.mark.django_db


def probes() -> list[tuple[str, str]]:
    return list(SecurityEvent.objects.filter(kind="probe").order_by("id").values_list(
        "details__probe", "ip"))


@pytest.mark.parametrize(("path", "status", "kind"), [
    ("/products/?q=%27%20OR%201%3D1--", 200, "sql_injection"),
    ("/products/?q=1%20UNION%20SELECT%20password%20FROM%20accounts_user", 200,
     "sql_injection"),
    ("/products/?q=%3Cscript%3Ealert(1)%3C/script%3E", 200, "xss"),
    ("/.env", 404, "forced_browsing"),
    ("/wp-login.php", 404, "forced_browsing"),
    ("/.git/config", 404, "forced_browsing"),
    ("/account/orders/x.css", 404, "cache_deception"),
    ("/account/orders/nonsense/", 404, "malformed_order_number"),
    ("/static/..%2f..%2fetc/passwd", 404, "path_traversal"),
])
def test_each_kind_of_probe_is_recorded(catalog, path, status, kind):
    response = Client(REMOTE_ADDR="203.0.113.50").get(path)
    assert response.status_code == status
    assert probes() == [(kind, "203.0.113.50")]


def test_malformed_order_numbers_on_the_api(db):
    user = create_user("mallory@example.com", name="Mallory")
    client = Client(REMOTE_ADDR="203.0.113.51",
                    HTTP_AUTHORIZATION=f"Bearer {access_token_issue(user=user)}")
    assert client.get("/api/v1/orders/BFM-12345").status_code == 404
    assert probes() == [("malformed_order_number", "203.0.113.51")]
    event = SecurityEvent.objects.get(kind="probe")
    assert event.user_id == user.pk


def test_a_failed_csrf_check_is_recorded(db):
    response = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.52").post(
        "/account/sign-in/", {"email": "a@example.com", "password": "x"})
    assert response.status_code == 403
    assert probes() == [("csrf_failed", "203.0.113.52")]


def test_ordinary_traffic_records_nothing(catalog):
    client = Client(REMOTE_ADDR="203.0.113.53")
    for path in ("/products/", "/products/?q=rock%20%27n%27%20roll", "/no-such-page/",
                 "/products/no-such-product/", "/c/clothing/", "/account/sign-in/?next=/cart/"):
        client.get(path)
    assert probes() == []


def test_a_scan_writes_a_few_rows_and_raises_one_alert(db):
    scanner = Client(REMOTE_ADDR="203.0.113.54")
    for n in range(45):
        assert scanner.get(f"/backup-{n}.sql").status_code == 404
    assert len(probes()) == PROBE_EVENTS_STORED
    alerts = Alert.objects.filter(rule="probe_burst")
    assert [(a.subject, a.event_count >= 20) for a in alerts] == [("address 203.0.113.54", True)]
    # another address is counted on its own
    Client(REMOTE_ADDR="203.0.113.55").get("/.env")
    assert probes()[-1] == ("forced_browsing", "203.0.113.55")
