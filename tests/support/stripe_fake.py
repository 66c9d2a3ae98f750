"""A local fake of the Stripe API endpoints the shop's adapter calls, on loopback, for tests.

It speaks what the `stripe` package sends and expects: form-encoded requests with nested
keys (`metadata[order]=...`), `Authorization: Bearer sk_...`, the `Idempotency-Key` header
(a second request with the same key gets the first answer, as Stripe keeps it for 24 h),
JSON answers with `object`, and errors as `{"error": {"type", "code", "message"}}` with
Stripe's status codes (402 for a card error). Test payment methods behave like Stripe's test
ones: `pm_card_visa` succeeds, `pm_card_chargeDeclined` is declined,
`pm_card_authenticationRequired` asks for 3-D Secure.

Endpoints: payment methods (retrieve), payment intents (create, retrieve, confirm, cancel),
refunds (create, list), Checkout Sessions (create, retrieve, expire) with a hosted page the
shopper "pays" on (`pay_session`, or the page's own button). Webhook events are built and
signed the way Stripe signs them (`signed_event`): `Stripe-Signature: t=<unix time>,
v1=<hex HMAC-SHA256 of "<t>.<payload>" with the endpoint secret>`.

Test controls: `drop_answer_once(path)` processes the next matching request and then closes
the connection without answering (the answer is lost on the way back), `down` refuses
everything with a 500 (Stripe unreachable), `before_answer[path pattern]` runs a callable once,
after the request was processed and before the answer leaves (a webhook overtaking it).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
SECRET_KEY = "sk_test_fake_0123456789"
CARDS = {
    "pm_card_visa": {"brand": "visa", "last4": "4242", "outcome": "succeeded"},
    "pm_card_mastercard": {"brand": "mastercard", "last4": "4444", "outcome": "succeeded"},
    "pm_card_chargeDeclined": {"brand": "visa", "last4": "0002", "outcome": "declined"},
    "pm_card_authenticationRequired": {"brand": "visa", "last4": "3184", "outcome": "3ds"},
}


def nested(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding (`a[b][0][c]=v`) back into dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _lists(value) for key, value in node.items()}


class StripeFake:
    def __init__(self) -> None:
        self.intents: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.sessions: dict[str, dict] = {}
        self.answers: dict[str, tuple[int, dict]] = {}  # idempotency key -> first answer
        self.calls: list[tuple[str, str]] = []
        self.down = False
        # what a new refund's status is: Stripe answers "pending" for many card refunds and
        # settles them days later (refund.updated: succeeded, or failed when the card is gone)
        self.refund_status = "succeeded"
        self.drop_once: set[str] = set()
        self.before_answer: dict[str, Callable[[], object]] = {}
        self.lock = threading.RLock()
        self._ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> StripeFake:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            for store in (self.intents, self.refunds, self.sessions, self.answers,
                          self.before_answer):
                store.clear()
            self.calls.clear()
            self.drop_once.clear()
            self.down = False
            self.refund_status = "succeeded"

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):04d}{secrets.token_hex(6)}"

    def drop_answer_once(self, path_pattern: str) -> None:
        self.drop_once.add(path_pattern)

    # --- what the shopper does on the hosted page

    def pay_session(self, session_id: str, payment_method: str = "pm_card_visa") -> dict:
        with self.lock:
            session = self.sessions[session_id]
            if session["status"] != "open":
                raise ValueError(f"session {session_id} is {session['status']}")
            intent = self._intent_new(amount=session["amount_total"],
                                      currency=session["currency"],
                                      payment_method=payment_method,
                                      metadata=session["payment_intent_data_metadata"])
            intent["status"] = "succeeded"
            intent["amount_received"] = intent["amount"]
            session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
            return session

    # --- events, signed as Stripe signs them

    def signed_event(self, kind: str, obj: dict, *, event_id: str | None = None,
                     secret: str = WEBHOOK_SECRET, at: int | None = None) -> tuple[bytes, str]:
        payload = json.dumps({
            "id": event_id or self.new_id("evt"), "object": "event", "type": kind,
            "api_version": "2025-01-01", "created": int(time.time()),
            "data": {"object": obj}, "livemode": False, "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
        }).encode()
        return payload, self.sign(payload, secret=secret, at=at)

    @staticmethod
    def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
        timestamp = at or int(time.time())
        signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload,
                             hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={signature}"

    def refund_in_dashboard(self, intent_id: str, amount: int) -> dict:
        """A refund made by a person in Stripe's dashboard (no metadata of the shop)."""
        with self.lock:
            return self._refund_new({"payment_intent": intent_id, "amount": str(amount)})

    def refund_settle(self, refund_id: str, status: str) -> dict:
        """Stripe settles a pending refund later: `succeeded`, or `failed` (the card was
        closed; the money goes back to the shop's balance)."""
        with self.lock:
            refund = self.refunds[refund_id]
            refund["status"] = status
            if status == "failed":
                refund["failure_reason"] = "expired_or_canceled_card"
            return dict(refund)

    # --- the API

    def _intent_new(self, *, amount: int, currency: str, payment_method: str | None,
                    metadata: dict) -> dict:
        intent = {
            "id": self.new_id("pi"), "object": "payment_intent", "amount": amount,
            "amount_received": 0, "currency": currency, "status": "requires_confirmation"
            if payment_method else "requires_payment_method",
            "payment_method": payment_method, "metadata": metadata,
            "description": None, "latest_charge": None, "created": int(time.time()),
        }
        self.intents[intent["id"]] = intent
        return intent

    def _refund_new(self, params: dict) -> dict:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None or intent["status"] != "succeeded":
            return self._error(400, "invalid_request_error", "charge_not_refundable")
        refunded = sum(r["amount"] for r in self.refunds.values()
                       if r["payment_intent"] == intent["id"]
                       and r["status"] not in ("failed", "canceled"))
        amount = int(params.get("amount") or intent["amount_received"] - refunded)
        if amount <= 0 or refunded + amount > intent["amount_received"]:
            return self._error(400, "invalid_request_error", "amount_too_large")
        refund = {
            "id": self.new_id("re"), "object": "refund", "amount": amount,
            "currency": intent["currency"], "payment_intent": intent["id"],
            "status": self.refund_status, "metadata": params.get("metadata") or {},
            "created": int(time.time()),
        }
        self.refunds[refund["id"]] = refund
        return refund

    @staticmethod
    def _error(status: int, kind: str, code: str, message: str = "") -> dict:
        return {"_status": status,
                "error": {"type": kind, "code": code, "message": message or code}}

    def handle(self, method: str, path: str, query: dict, params: dict) -> dict:
        """One API call; `_status` in the answer when it is not 200."""
        intent_path = re.fullmatch(r"/v1/payment_intents/([^/]+)(/confirm|/cancel)?", path)
        session_path = re.fullmatch(r"/v1/checkout/sessions/([^/]+)(/expire)?", path)
        if method == "GET" and (m := re.fullmatch(r"/v1/payment_methods/([^/]+)", path)):
            card = CARDS.get(m.group(1))
            if card is None:
                return self._error(404, "invalid_request_error", "resource_missing")
            return {"id": m.group(1), "object": "payment_method", "type": "card",
                    "card": {"brand": card["brand"], "last4": card["last4"],
                             "exp_month": 12, "exp_year": 2099}}
        if method == "POST" and path == "/v1/payment_intents":
            intent = self._intent_new(amount=int(params["amount"]), currency=params["currency"],
                                      payment_method=params.get("payment_method"),
                                      metadata=params.get("metadata") or {})
            intent["description"] = params.get("description")
            return intent
        if intent_path:
            intent = self.intents.get(intent_path.group(1))
            if intent is None:
                return self._error(404, "invalid_request_error", "resource_missing")
            action = intent_path.group(2)
            if method == "GET" and action is None:
                return intent
            if action == "/confirm":
                if intent["status"] != "requires_confirmation":
                    return self._error(400, "invalid_request_error",
                                       "payment_intent_unexpected_state")
                outcome = CARDS.get(intent["payment_method"] or "", {}).get("outcome")
                if outcome == "succeeded":
                    intent.update(status="succeeded", amount_received=intent["amount"],
                                  latest_charge=self.new_id("ch"))
                    return intent
                if outcome == "3ds":
                    intent.update(status="requires_action")
                    return intent
                intent.update(status="requires_payment_method")
                return self._error(402, "card_error", "card_declined", "Your card was declined.")
            if action == "/cancel":
                if intent["status"] in ("succeeded", "canceled"):
                    return self._error(400, "invalid_request_error",
                                       "payment_intent_unexpected_state")
                intent["status"] = "canceled"
                return intent
        if method == "POST" and path == "/v1/refunds":
            return self._refund_new(params)
        if method == "GET" and (m := re.fullmatch(r"/v1/refunds/([^/]+)", path)):
            refund = self.refunds.get(m.group(1))
            return refund if refund is not None else self._error(
                404, "invalid_request_error", "resource_missing")
        if method == "GET" and path == "/v1/refunds":
            data = [r for r in self.refunds.values()
                    if r["payment_intent"] == query.get("payment_intent")]
            return {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}
        if method == "POST" and path == "/v1/checkout/sessions":
            item = params["line_items"][0]
            amount = int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1))
            session_id = self.new_id("cs_test")
            session = {
                "id": session_id, "object": "checkout.session", "status": "open",
                "payment_status": "unpaid", "amount_total": amount,
                "currency": item["price_data"]["currency"], "payment_intent": None,
                "metadata": params.get("metadata") or {},
                "payment_intent_data_metadata":
                    (params.get("payment_intent_data") or {}).get("metadata") or {},
                "client_reference_id": params.get("client_reference_id"),
                "customer_email": params.get("customer_email"),
                "success_url": params["success_url"], "cancel_url": params["cancel_url"],
                "expires_at": int(params.get("expires_at") or time.time() + 1800),
                "url": f"{self.url}/pay/{session_id}",
            }
            self.sessions[session_id] = session
            return session
        if session_path:
            session = self.sessions.get(session_path.group(1))
            if session is None:
                return self._error(404, "invalid_request_error", "resource_missing")
            if method == "GET" and session_path.group(2) is None:
                return session
            if session_path.group(2) == "/expire":
                if session["status"] != "open":
                    return self._error(400, "invalid_request_error", "session_not_open")
                session["status"] = "expired"
                return session
        return self._error(404, "invalid_request_error", "unknown_path")

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body: dict | str, content_type="application/json"):
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_" + secrets.token_hex(6))
                self.end_headers()
                self.wfile.write(data)

            def _api(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if parts.path.startswith("/pay/"):
                    return self._hosted_page(method, parts.path.removeprefix("/pay/"))
                if self.headers.get("Authorization") != f"Bearer {SECRET_KEY}":
                    return self._answer(401, {"error": {"type": "invalid_request_error",
                                                        "message": "Invalid API Key"}})
                with fake.lock:
                    fake.calls.append((method, parts.path))
                    if fake.down:
                        return self._answer(500, {"error": {"type": "api_error",
                                                            "message": "down"}})
                    key = self.headers.get("Idempotency-Key")
                    if method == "POST" and key and key in fake.answers:
                        status, body = fake.answers[key]
                    else:
                        body = fake.handle(method, parts.path, dict(parse_qsl(parts.query)),
                                           nested(parse_qsl(raw, keep_blank_values=True)))
                        status = body.pop("_status", 200)
                        if method == "POST" and key:
                            fake.answers[key] = (status, body)
                    hook_key = next((p for p in fake.before_answer
                                     if re.fullmatch(p, parts.path)), None)
                    hook = fake.before_answer.pop(hook_key) if hook_key else None
                    dropped = next((p for p in fake.drop_once if re.fullmatch(p, parts.path)),
                                   None)
                    if dropped:
                        fake.drop_once.discard(dropped)
                if hook is not None:
                    hook()
                if dropped:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                return self._answer(status, body)

            def _hosted_page(self, method: str, session_id: str) -> None:
                session = fake.sessions.get(session_id)
                if session is None:
                    return self._answer(404, "no such session", "text/plain")
                if method == "POST":
                    fake.pay_session(session_id)
                    self.send_response(303)
                    self.send_header("Location", session["success_url"])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                page = (f"<!doctype html><title>Pay</title><h1>Pay {session['amount_total']} "
                        f"{session['currency']}</h1><form method='post'><button>Pay</button>"
                        f"</form><a href='{session['cancel_url']}'>Back to the shop</a>")
                return self._answer(200, page, "text/html")

            def do_GET(self):
                self._api("GET")

            def do_POST(self):
                self._api("POST")

        return Handler
