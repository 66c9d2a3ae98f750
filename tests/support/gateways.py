"""Payment gateways for tests that need another actor to act at the worst moment.

`InterleavingGateway` is the built-in test gateway plus two things a test needs:

- a ledger of what really moved at the "provider" (every charge and refund that went through,
  keyed by the provider's reference, so a replayed call is counted once), kept in this test
  process: the truth the shop's own records are checked against;
- moments: `at("charge", fn)` runs `fn` in another thread (its own database connection, like
  another request or a cron job) right after the gateway charged and before the shop hears the
  answer; "decline" right before a decline is answered, "refund" right after a refund went
  through. The gateway call waits for `fn` unless it was started with `wait=False`.

Select it with `settings.SHOP_PAYMENT_GATEWAY = GATEWAY` (the `interleaving` fixture does).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import connections

from shop.orders.payments import PaymentDeclined
from shop.orders.payments.test_gateway import TestGateway

GATEWAY = "tests.support.gateways.InterleavingGateway"


@dataclass
class Moments:
    charges: dict[str, Decimal] = field(default_factory=dict)
    refunds: dict[str, Decimal] = field(default_factory=dict)
    hooks: dict[str, tuple[Callable[[], object], bool]] = field(default_factory=dict)
    results: list[object] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def at(self, moment: str, fn: Callable[[], object], *, wait: bool = True) -> None:
        self.hooks[moment] = (fn, wait)

    @property
    def net(self) -> Decimal:
        """What the provider holds: captured minus refunded."""
        return sum(self.charges.values(), Decimal("0")) - sum(self.refunds.values(), Decimal("0"))

    def fire(self, moment: str) -> None:
        with self.lock:
            hook = self.hooks.pop(moment, None)
        if hook is None:
            return
        fn, wait = hook

        def run() -> None:
            try:
                self.results.append(fn())
            except BaseException as error:  # reported by join()
                self.errors.append(error)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run, name=f"actor-at-{moment}")
        thread.start()
        self.threads.append(thread)
        if wait:
            thread.join(timeout=60)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=60)
        if self.errors:
            raise self.errors[0]

    def reset(self) -> None:
        self.charges.clear()
        self.refunds.clear()
        self.hooks.clear()
        self.results.clear()
        self.errors.clear()
        self.threads.clear()


MOMENTS = Moments()


class InterleavingGateway(TestGateway):
    __test__ = False

    def charge(self, **kwargs):
        try:
            charge = super().charge(**kwargs)
        except PaymentDeclined:
            MOMENTS.fire("decline")
            raise
        with MOMENTS.lock:
            MOMENTS.charges[charge.reference] = charge.amount
        MOMENTS.fire("charge")
        return charge

    def refund(self, **kwargs):
        refund = super().refund(**kwargs)
        with MOMENTS.lock:
            MOMENTS.refunds[refund.reference] = refund.amount
        MOMENTS.fire("refund")
        return refund


class CrashingGateway(TestGateway):
    """The test gateway in an app-server process that can die the moment the provider has
    charged, before the shop hears the answer: when the file named by SHOP_FAULT_FILE holds
    "gateway.charged". Independent of the shop's own fault points (shop/core/faults.py), so
    the same crash can be played against code that has none."""

    __test__ = False

    def charge(self, **kwargs):
        charge = super().charge(**kwargs)
        path = os.environ.get("SHOP_FAULT_FILE", "")
        if path and Path(path).exists() and Path(path).read_text().strip() == "gateway.charged":
            os._exit(70)
        return charge
