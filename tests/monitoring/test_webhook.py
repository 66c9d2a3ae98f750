"""Alerts are POSTed to SHOP_ALERT_WEBHOOK_URL by a background forwarder: retried after a
5xx, given up after a 4xx, bounded by a timeout, and never in the way of the request that
raised the alert. Tested against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.utils import timezone

from shop.monitoring import alerts
from shop.monitoring.models import Alert, WebhookState
from shop.monitoring.webhook import forwarder

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """A webhook receiver: answers each POST with the next scripted status (200 once the
    script runs out), after `delay` seconds, and keeps what it received."""

    def __init__(self, statuses=(), delay: float = 0.0):
        self.statuses = list(statuses)
        self.delay = delay
        self.received: list[tuple[dict, bytes]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append((dict(self.headers), body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                time.sleep(receiver.delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the client gave up (timeout)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/security"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook(settings):
    def configure(receiver: Receiver, **overrides):
        settings.SHOP_ALERT_WEBHOOK_URL = receiver.url
        settings.SHOP_ALERT_WEBHOOK_SECRET = "hook-signing-secret"
        settings.SHOP_ALERT_WEBHOOK_BACKOFF = 0.05
        settings.SHOP_ALERT_WEBHOOK_TIMEOUT = overrides.get("timeout", 2.0)
        settings.SHOP_ALERT_WEBHOOK_ATTEMPTS = overrides.get("attempts", 4)

    yield configure
    assert forwarder().drain(timeout=10)


def test_an_alert_is_delivered_after_a_retry(webhook):
    with Receiver(statuses=[500]) as receiver:
        webhook(receiver)
        (alert,) = alerts.observe(kind="refresh_replay", user_id=7, ip="203.0.113.5")
        assert forwarder().drain(timeout=10)
    assert len(receiver.received) == 2  # a 500, then a 200
    (headers, body), (_, again) = receiver.received
    assert body == again
    payload = json.loads(body)
    assert payload == {
        "type": "security_alert", "shop": "Buy_From_Me", "id": alert.pk,
        "rule": "refresh_token_replay", "severity": "high", "subject": "user 7",
        "summary": alert.summary, "event_count": 1, "raised_at": alert.created_at.isoformat(),
    }
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Shop-Alert-Id"] == str(alert.pk)
    expected = hmac.new(b"hook-signing-secret", body, hashlib.sha256).hexdigest()
    assert headers["X-Shop-Signature"] == f"sha256={expected}"
    alert.refresh_from_db()
    assert (alert.webhook_state, alert.webhook_attempts) == (WebhookState.DELIVERED, 2)


def test_a_4xx_is_not_retried(webhook):
    with Receiver(statuses=[410]) as receiver:
        webhook(receiver)
        (alert,) = alerts.observe(kind="ownership_guard_tripped", user_id=8)
        assert forwarder().drain(timeout=10)
    assert len(receiver.received) == 1
    alert.refresh_from_db()
    assert (alert.webhook_state, alert.webhook_error) == (WebhookState.FAILED, "HTTP 410")


def test_a_slow_receiver_never_slows_the_request_that_raised_the_alert(webhook, client):
    from shop.accounts.tokens import token_pair_issue
    from tests.factories import create_user

    user = create_user("slow@example.com")
    pair = token_pair_issue(user=user)
    with Receiver(delay=2.0) as receiver:
        webhook(receiver, timeout=0.3, attempts=2)
        body = json.dumps({"refresh": pair.refresh})
        client.post("/api/v1/auth/refresh", body, content_type="application/json")
        started = time.perf_counter()
        replay = client.post("/api/v1/auth/refresh", body, content_type="application/json")
        elapsed = time.perf_counter() - started
        assert replay.status_code == 401
        assert elapsed < 0.3, f"the request waited for the webhook ({elapsed:.2f} s)"
        assert forwarder().drain(timeout=10)
    alert = Alert.objects.get(rule="refresh_token_replay")
    assert (alert.webhook_state, alert.webhook_attempts) == (WebhookState.FAILED, 2)
    assert alert.webhook_error == "TimeoutError"


def test_the_command_sends_what_a_dead_process_left_pending(webhook):
    with Receiver() as receiver:
        webhook(receiver)
        stale = Alert.objects.create(
            rule="object_enumeration", severity="high", subject="user 3", summary="s",
            webhook_state=WebhookState.PENDING,
            created_at=timezone.now() - dt.timedelta(minutes=2),
        )
        fresh = Alert.objects.create(rule="object_enumeration", severity="high",
                                     subject="user 4", summary="s",
                                     webhook_state=WebhookState.PENDING)
        call_command("deliver_alerts")
    assert [json.loads(body)["id"] for _, body in receiver.received] == [stale.pk]
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.webhook_state == WebhookState.DELIVERED
    assert fresh.webhook_state == WebhookState.PENDING  # its own forwarder may still send it


def test_without_a_webhook_url_nothing_is_queued(settings):
    settings.SHOP_ALERT_WEBHOOK_URL = ""
    (alert,) = alerts.observe(kind="refresh_replay", user_id=9)
    assert alert.webhook_state == WebhookState.NONE
