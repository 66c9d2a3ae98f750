"""What one checkout costs, in process (issue 16): statements, round trips, commits, app CPU.

    .venv/bin/python scripts/measure_checkout.py                      # 300 checkouts, SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/measure_checkout \\
        .venv/bin/python scripts/measure_checkout.py                  # the configured database
    .venv/bin/python scripts/measure_checkout.py --checkouts 100 --log   # + one statement log
    .venv/bin/python scripts/measure_checkout.py --profile            # + the top of cProfile

Test settings. Without DATABASE_URL: its own SQLite file (var/measure/checkout.sqlite3);
a PostgreSQL database named in DATABASE_URL is created when missing and migrated. Like the
bench's checkout: buyers with a bearer token and one line in their cart (one unit of one of
10 SKUs with ample stock) POST /api/v1/checkout through django.test.Client and the whole
middleware stack, test card, a fresh Idempotency-Key each. Filling the carts is not measured.

Per checkout, averaged:
- statements: SQL the app sent, savepoints and BEGIN/COMMIT left out;
- round trips: every exchange with the database: statements, SAVEPOINT/RELEASE, BEGIN and
  COMMIT/ROLLBACK (on PostgreSQL psycopg sends BEGIN on its own before a transaction's first
  statement; on SQLite Django sends BEGIN IMMEDIATE as a statement);
- commits: transactions committed: each outermost atomic block, and each write sent in
  autocommit (its own implicit transaction);
- app CPU: time.process_time of this process (with SQLite it includes the database's work).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import CHECKOUT_BODY  # noqa: E402 (after the path)

WORK = ROOT / "var" / "measure"
SKUS = 10
BODY = CHECKOUT_BODY  # the bench's own checkout body (the same address, method and card)
WRITES = ("INSERT", "UPDATE", "DELETE")


class Ledger:
    """Counts what reaches the database on the default connection while installed."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.vendor = connection.vendor
        self.statements = 0
        self.savepoints = 0
        self.begins = 0
        self.commits = 0  # outermost atomic blocks committed
        self.rollbacks = 0
        self.autocommit_writes = 0
        self.log: list[str] | None = None

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        head = sql.lstrip()[:20].upper()
        if head.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            self.savepoints += 1
        elif head.startswith("BEGIN"):
            self.begins += 1
        else:
            self.statements += 1
            if head.startswith(WRITES) and self.connection.get_autocommit():
                self.autocommit_writes += 1
        if self.log is not None:
            self.log.append(sql if params is None else f"{sql}  -- {params!r}"[:400])
        return execute(sql, params, many, context)

    def install(self) -> None:
        connection = self.connection
        commit, rollback = connection.commit, connection.rollback

        def counted_commit() -> None:
            self.commits += 1
            if self.log is not None:
                self.log.append("COMMIT")
            commit()

        def counted_rollback() -> None:
            self.rollbacks += 1
            if self.log is not None:
                self.log.append("ROLLBACK")
            rollback()

        connection.commit, connection.rollback = counted_commit, counted_rollback
        connection.execute_wrappers.append(self)

    @property
    def round_trips(self) -> int:
        # psycopg sends BEGIN by itself, unseen by execute wrappers: one per transaction
        begins = self.commits + self.rollbacks if self.vendor == "postgresql" else self.begins
        return self.statements + self.savepoints + begins + self.commits + self.rollbacks

    @property
    def all_commits(self) -> int:
        return self.commits + self.autocommit_writes


def _setup_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        WORK.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'checkout.sqlite3'}"
        os.environ.pop("REDIS_URL", None)
        return
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                 [name]).fetchone():
                admin.execute(f'CREATE DATABASE "{name}"')


def _buyers(count: int) -> list[str]:
    """`count` new buyers, each with one unit of one of SKUS variants in the cart."""
    from django.contrib.auth import get_user_model

    from shop.accounts.tokens import access_token_issue
    from shop.cart.models import Cart, CartLine
    from shop.catalog.models import Variant

    variants = list(Variant.objects.filter(product__is_active=True).order_by("pk")[:SKUS])
    Variant.objects.filter(pk__in=[v.pk for v in variants]).update(stock=1_000_000)
    User = get_user_model()
    run = uuid.uuid4().hex[:8]
    users = User.objects.bulk_create([
        User(email=f"measure-{run}-{i}@example.com", name=f"Measure {i}",
             password="!")  # noqa: S106 - an unusable password
        for i in range(count)
    ])
    users = list(User.objects.filter(email__startswith=f"measure-{run}-").order_by("pk"))
    carts = Cart.objects.bulk_create([Cart(user=user) for user in users])
    carts = list(Cart.objects.filter(user__in=users).order_by("user_id"))
    picks = [variants[i % len(variants)] for i in range(len(carts))]
    CartLine.objects.bulk_create([
        CartLine(cart=cart, variant=variant, sku=variant.sku, name="Measured thing", quantity=1)
        for cart, variant in zip(carts, picks, strict=True)
    ])
    return [access_token_issue(user=user) for user in users]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkouts", type=int, default=300)
    parser.add_argument("--log", action="store_true", help="print one checkout's statements")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime", help="the profile's order (cProfile)")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    _setup_database()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from shop.catalog.models import Variant

    call_command("migrate", verbosity=0)
    if Variant.objects.filter(product__is_active=True).count() < SKUS:
        call_command("seed_catalog", products=20, images=False, verbosity=0)
    warmup = 20
    tokens = _buyers(warmup + args.checkouts + (1 if args.log else 0))
    client = Client(HTTP_HOST="127.0.0.1")

    def checkout(token: str) -> None:
        response = client.post("/api/v1/checkout", BODY, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {token}",
                               HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        if response.status_code != 201:
            raise SystemExit(f"{response.status_code} from checkout: {response.content[:300]!r}")

    for token in tokens[:warmup]:  # imports, compiled code, connections
        checkout(token)
    if args.log:
        ledger = Ledger(connection)
        ledger.log = []
        ledger.install()
        checkout(tokens[-1])
        connection.execute_wrappers.remove(ledger)
        print("\n".join(f"{n:3} {sql}" for n, sql in enumerate(ledger.log, 1)))
        del connection.commit, connection.rollback
    measured = tokens[warmup:warmup + args.checkouts]
    ledger = Ledger(connection)
    ledger.install()
    samples = []
    for token in measured:
        started = time.process_time()
        checkout(token)
        samples.append((time.process_time() - started) * 1000)
    connection.execute_wrappers.remove(ledger)
    del connection.commit, connection.rollback
    n = len(measured)
    print(f"{connection.vendor}: {n} checkouts (one line each), per checkout: "
          f"{ledger.statements / n:.1f} statements, {ledger.round_trips / n:.1f} round trips "
          f"({ledger.savepoints / n:.1f} savepoint statements), "
          f"{ledger.all_commits / n:.1f} commits ({ledger.commits / n:.1f} transactions + "
          f"{ledger.autocommit_writes / n:.1f} autocommit writes); app CPU mean "
          f"{statistics.mean(samples):.2f} ms, median {statistics.median(samples):.2f} ms")
    if args.profile:
        import cProfile
        import pstats

        extra = _buyers(args.checkouts)
        profiler = cProfile.Profile()
        profiler.enable()
        for token in extra:
            checkout(token)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
