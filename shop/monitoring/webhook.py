"""Forwarding alerts to an operator's webhook (Slack, PagerDuty, Datadog, a SIEM).

`SHOP_ALERT_WEBHOOK_URL` (http or https): each new alert is POSTed there as JSON, with a
timeout per attempt (SHOP_ALERT_WEBHOOK_TIMEOUT, seconds), and retried with exponential
backoff (SHOP_ALERT_WEBHOOK_ATTEMPTS attempts, SHOP_ALERT_WEBHOOK_BACKOFF seconds first)
after a network error or a 5xx/429 answer. With SHOP_ALERT_WEBHOOK_SECRET set, the body is
signed: `X-Shop-Signature: sha256=<hex HMAC of the body>`. `X-Shop-Alert-Id` lets the
receiver drop a duplicate.

Why a thread per process, with the database as a backstop: the request that raised the alert
only puts it on an in-memory queue (never waits for the network), and one daemon thread per
app-server process delivers within seconds. The Alert row is the outbox: it says pending,
delivered or failed; an alert whose process died before delivery stays pending, and the
`deliver_alerts` management command (cron, every minute) sends pending alerts older than a
minute and retries failed ones. A receiver may so see an alert twice, never zero times.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import queue
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.db import close_old_connections, connection

from . import metrics
from .models import Alert, WebhookState

logger = logging.getLogger("shop.alerts.webhook")

QUEUE_SIZE = 1000


def _setting(name: str, default):
    return getattr(settings, name, default)


def deliver(payload: dict) -> bool:
    """POST one alert, with retries; records the outcome on the Alert row. Blocking: only
    for the forwarder thread and the management command."""
    url = _setting("SHOP_ALERT_WEBHOOK_URL", "")
    if not url:
        return False
    if urlsplit(url).scheme not in ("http", "https"):
        logger.error("SHOP_ALERT_WEBHOOK_URL must be http or https; alert not forwarded")
        return False
    attempts = max(1, int(_setting("SHOP_ALERT_WEBHOOK_ATTEMPTS", 4)))
    timeout = float(_setting("SHOP_ALERT_WEBHOOK_TIMEOUT", 3.0))
    backoff = float(_setting("SHOP_ALERT_WEBHOOK_BACKOFF", 1.0))
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Buy_From_Me-alerts/1",
        "X-Shop-Alert-Id": str(payload.get("id", "")),
    }
    secret = _setting("SHOP_ALERT_WEBHOOK_SECRET", "")
    if secret:
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Shop-Signature"] = f"sha256={digest}"
    error = ""
    for attempt in range(1, attempts + 1):
        try:
            request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (scheme checked above)
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as refused:
            status, error = refused.code, f"HTTP {refused.code}"
        except (urllib.error.URLError, OSError) as failed:
            status, error = 0, type(getattr(failed, "reason", failed)).__name__
        if 200 <= status < 300:
            metrics.WEBHOOK_DELIVERIES.labels(outcome="delivered").inc()
            _record(payload, WebhookState.DELIVERED, attempt, "")
            logger.info("alert forwarded", extra={"alert_id": payload.get("id"),
                                                  "attempts": attempt})
            return True
        if status and 400 <= status < 500 and status != 429:
            break  # the receiver refuses this request: retrying will not help
        if attempt < attempts:
            metrics.WEBHOOK_DELIVERIES.labels(outcome="retried").inc()
            time.sleep(backoff * (2 ** (attempt - 1)))
    metrics.WEBHOOK_DELIVERIES.labels(outcome="failed").inc()
    _record(payload, WebhookState.FAILED, attempt, error or f"HTTP {status}")
    logger.error("alert webhook failed", extra={"alert_id": payload.get("id"),
                                                "attempts": attempt, "error": error})
    return False


def _record(payload: dict, state: str, attempts: int, error: str) -> None:
    try:
        Alert.objects.filter(pk=payload.get("id")).update(  # type: ignore[misc]
            webhook_state=state, webhook_attempts=attempts, webhook_error=error[:200]
        )
    except Exception:
        logger.exception("could not record the webhook outcome")


class Forwarder:
    """One queue and one daemon thread per process, started on first use (after the app
    server forked its workers), restarted if the process was forked since."""

    def __init__(self) -> None:
        self._queue: queue.Queue[dict] = queue.Queue(maxsize=QUEUE_SIZE)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def submit(self, payload: dict) -> None:
        """Never blocks: a full queue drops the alert (it stays pending in the database for
        the deliver_alerts command)."""
        self._ensure_thread()
        try:
            self._queue.put_nowait(payload)
        except queue.Full:
            metrics.WEBHOOK_DELIVERIES.labels(outcome="dropped").inc()
            logger.error("alert webhook queue full", extra={"alert_id": payload.get("id")})

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every queued alert was handled (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.02)
        return False

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
                return
            if self._pid != os.getpid():
                self._queue = queue.Queue(maxsize=QUEUE_SIZE)
            self._pid = os.getpid()
            self._thread = threading.Thread(
                target=self._run, name="alert-webhook", daemon=True
            )
            self._thread.start()

    def _run(self) -> None:
        while True:
            payload = self._queue.get()
            try:
                deliver(payload)
            except Exception:
                logger.exception("alert webhook delivery crashed")
            finally:
                close_old_connections()
                connection.close()
                self._queue.task_done()


_FORWARDER = Forwarder()


def forwarder() -> Forwarder:
    return _FORWARDER
