"""Security events and the access log (docs/threats.md case 22): who, what, when, from where,
and never a password or a token."""

import json

from shop.monitoring.models import SecurityEvent
from shop.monitoring.services import security_event_record

from .conftest import PASSWORD


def test_secrets_never_reach_the_details(rf, db):
    request = rf.get("/somewhere", REMOTE_ADDR="198.51.100.4")
    event = security_event_record(
        kind="test",
        request=request,
        details={
            "reason": "x",
            "password": "hunter2",
            "refresh_token": "abc",
            "card_number": "4242",
            "nested": {"Authorization": "Bearer x", "ok": 1},
        },
    )
    assert event.details == {"reason": "x", "nested": {"ok": 1}}
    assert event.ip == "198.51.100.4"
    assert event.path == "/somewhere"


def test_a_failed_sign_in_names_the_account_not_the_password(api, ann):
    response = api.post(
        "/api/v1/auth/token", {"email": "ann@example.com", "password": "my secret guess"}
    )
    event = SecurityEvent.objects.get(kind="signin_failed")
    assert event.user_id == ann.pk
    assert event.ip == "10.200.0.1"
    assert event.path == "/api/v1/auth/token"
    assert event.request_id == response["X-Request-ID"]
    stored = json.dumps(event.details)
    assert "my secret guess" not in stored
    assert "ann@example.com" not in stored


def test_the_access_log_names_the_principal(api, client, ann, app_log):
    pair = api.sign_in()
    api.get("/api/v1/me", token=pair["access"])
    client.force_login(ann)
    client.get("/account/")
    lines = [r for r in app_log.find(logger="shop.access") if r.path in ("/api/v1/me", "/account/")]
    assert [line.user_id for line in lines] == [ann.pk, ann.pk]
    assert all("Bearer" not in json.dumps(vars(line), default=str) for line in lines)


def test_a_refused_token_is_logged_without_the_token(api, ann, app_log):
    api.get("/api/v1/me", token="not.a.token")
    event = SecurityEvent.objects.get(kind="token_invalid")
    assert event.details == {"reason": "malformed"}
    assert all("not.a.token" not in record.rendered for record in app_log.snapshot())


def test_a_password_never_reaches_the_logs(api, ann, app_log):
    api.post("/api/v1/auth/token", {"email": "ann@example.com", "password": "my secret guess"})
    api.post("/api/v1/auth/token", {"email": "ann@example.com", "password": PASSWORD})
    text = "\n".join(json.dumps(vars(r), default=str) for r in app_log.snapshot())
    assert "my secret guess" not in text
    assert PASSWORD not in text
