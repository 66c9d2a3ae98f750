"""The benchmark's steps that run inside Django, one subcommand each; bench/run.py calls them
in subprocesses with the bench environment (bench.settings, the bench database) and reads the
JSON they print on their last line.

    python -m bench.tasks seed --products 100000
    python -m bench.tasks catalog-info
    python -m bench.tasks sessions --count 100
    python -m bench.tasks probe --words '["tee", "linen"]' [--token ...]
    python -m bench.tasks buyers --count 3000 --skus 10 --stock 1000000
    python -m bench.tasks stock --skus '["..."]'
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from shop.catalog.models import Category, Product, Variant  # noqa: E402

BENCH_DOMAIN = "bench.invalid"  # reserved TLD: these accounts can never receive mail
SEED = 2026


def emit(data: object) -> None:
    print(json.dumps(data, default=str), flush=True)


# --- catalog


def seed(args) -> None:
    """Bulk-load `products` generated products (demo generator, shared images), once."""
    count = Product.objects.count()
    if count == args.products:
        emit({"seeded": False, "products": count})
        return
    if count:
        sys.exit(f"the bench database holds {count} products, not {args.products}: recreate it")
    from shop.demo.loader import seed_products

    def progress(result) -> None:
        print(f"  seeded {result.products} products in {result.seconds:.0f}s", flush=True)

    result = seed_products(args.products, seed=SEED, images=False, progress=progress)
    with connection.cursor() as cursor:  # fresh planner statistics after the bulk load
        cursor.execute("ANALYZE")
    emit({"seeded": True, "products": result.products, "variants": result.variants,
          "seconds": round(result.seconds, 1)})


def catalog_info(args) -> None:
    """URLs for the browse mix (popular pages first) and words for the search probes."""
    categories = list(Category.objects.order_by("position", "name").values_list("slug", "parent"))
    top = [slug for slug, parent in categories if parent is None]
    products = list(
        Product.objects.filter(is_active=True)
        .order_by("-is_featured", "-created_at", "-pk")
        .values_list("slug", flat=True)[: args.products]
    )
    names = list(Product.objects.values_list("name", flat=True))
    words = Counter(word.lower() for name in names for word in set(name.split()) if len(word) > 3)
    ranked = [word for word, _ in words.most_common() if word.isalpha()]
    total = len(names) or 1

    def near(share: float) -> str:
        """The word whose share of product names is closest to `share`."""
        return min(ranked, key=lambda w: abs(words[w] / total - share)) if ranked else ""

    # Search words across frequencies: the most common, about 1%, about 0.2%, and none.
    chosen = {"common": ranked[0] if ranked else "", "1%": near(0.01), "0.2%": near(0.002),
              "no match": "qzxv"}
    emit({
        "top_categories": top,
        "categories": [slug for slug, _ in categories],
        "products": products,
        "words": {kind: {"word": word, "share": round(words[word] / total, 4)}
                  for kind, word in chosen.items()},
    })


# --- visitors and buyers


def _bench_users(prefix: str, count: int):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    emails = [f"{prefix}-{i}@{BENCH_DOMAIN}" for i in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    User.objects.bulk_create(
        [User(email=email, name=f"Bench {prefix} {i}", password="!")  # noqa: S106 - unusable
         for i, email in enumerate(emails) if email not in existing],
        batch_size=1000,
    )
    by_email = {user.email: user for user in User.objects.filter(email__in=emails)}
    return [by_email[email] for email in emails]


def sessions(args) -> None:
    """Signed-in visitors: real server-side sessions, as the Cookie header a browser sends."""
    users = _bench_users("visitor", args.count)
    cookies = []
    for user in users:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    emit({"cookies": cookies})


def tokens(args) -> None:
    """Access tokens (minted the way /api/v1/auth/token does) for bench accounts."""
    from shop.accounts.tokens import access_token_issue

    users = _bench_users(args.prefix, args.count)
    emit({"tokens": [access_token_issue(user=user) for user in users]})


def buyers(args) -> None:
    """`count` buyers with tokens, and `skus` variants with `stock` units each to buy."""
    from shop.accounts.tokens import access_token_issue

    rng = random.Random(SEED)
    # Every 50th variant from `offset` on: each phase of a run buys its own SKUs.
    variants = list(
        Variant.objects.filter(product__is_active=True)
        .order_by("pk")[args.offset * 50 : (args.offset + args.skus) * 50 : 50]
    )
    Variant.objects.filter(pk__in=[v.pk for v in variants]).update(stock=args.stock)
    users = _bench_users(args.prefix, args.count)
    emit({
        "skus": [v.sku for v in variants],
        "stock": args.stock,
        "buyers": [
            {"token": access_token_issue(user=user), "sku": rng.choice(variants).sku}
            for user in users
        ],
    })


def stock(args) -> None:
    """Per SKU: units left, and units in the orders of buyers `prefix`-*, by status. With the
    stock the bench set, zero oversell means: nothing below zero, and units left + units in
    live orders = stock."""
    from django.db.models import Sum

    from shop.orders.models import OrderLine

    skus = json.loads(args.skus)
    left = dict(Variant.objects.filter(sku__in=skus).values_list("sku", "stock"))
    in_orders: dict[str, dict[str, int]] = {}
    rows = (
        OrderLine.objects.filter(sku__in=skus, order__email__startswith=f"{args.prefix}-")
        .values_list("sku", "order__status")
        .annotate(units=Sum("quantity"))
    )
    for sku, status, units in rows:
        in_orders.setdefault(sku, {})[status] = units
    emit({"left": left, "in_orders": in_orders})


# --- the in-process probe: queries per request and server-side time


def _client() -> Client:
    return Client(HTTP_HOST="127.0.0.1")


def probe(args) -> None:
    """For each URL: queries per request (CaptureQueriesContext) and the median time of the
    whole Django request (test client, in process, one thread), after a warm-up."""
    words = json.loads(args.words)
    urls: list[tuple[str, str, dict]] = [
        ("API list, newest, 24", "/api/v1/products", {}),
        ("API list, newest, 100", "/api/v1/products?limit=100", {}),
        ("API list, price", "/api/v1/products?sort=price", {}),
        ("API list, in stock, name", "/api/v1/products?in_stock=true&sort=name", {}),
    ]
    top = Category.objects.filter(parent=None).order_by("position", "name").first()
    if top is not None:
        urls.append(("API list, category", f"/api/v1/products?category={top.slug}", {}))
    for kind, word in words.items():
        urls.append((f"API search, {kind} word", f"/api/v1/products?q={word}", {}))
        urls.append((f"storefront search, {kind} word", f"/products/?q={word}", {}))
    client = _client()
    cursor = None
    for _ in range(20):  # page 21: keyset pagination must not slow down with depth
        url = "/api/v1/products" + (f"?cursor={cursor}" if cursor else "")
        cursor = client.get(url).json().get("next_cursor")
    if cursor:
        urls.append(("API list, page 21", f"/api/v1/products?cursor={cursor}", {}))
    product = Product.objects.filter(is_active=True).order_by("pk").first()
    if product is not None:
        urls.append(("API product detail", f"/api/v1/products/{product.slug}", {}))
        urls.append(("storefront product page", f"/products/{product.slug}/", {}))
    urls += [
        ("storefront product list", "/products/", {}),
        ("bare view (bench only)", "/__bench/products", {}),
        ("hello world (bench only)", "/__bench/hello", {}),
    ]
    if args.token:
        auth = {"HTTP_AUTHORIZATION": f"Bearer {args.token}"}
        urls.append(("API order history (50 orders)", "/api/v1/orders", auth))
    results = []
    for label, url, headers in urls:
        for _ in range(3):
            response = client.get(url, **headers)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, **headers)
        queries = len(captured)  # now: the next request resets Django's query log
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url, **headers)
            timings.append((time.perf_counter() - started) * 1000)
        results.append({
            "label": label, "url": url, "status": response.status_code,
            "bytes": len(response.content), "queries": queries,
            "median_ms": round(statistics.median(timings), 3),
            "min_ms": round(min(timings), 3),
            "p90_ms": round(statistics.quantiles(timings, n=10)[-1], 3),
        })
    emit({"products": Product.objects.count(), "vendor": connection.vendor, "results": results})


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("seed")
    command.add_argument("--products", type=int, required=True)
    command.set_defaults(run=seed)
    command = commands.add_parser("catalog-info")
    command.add_argument("--products", type=int, default=2000)
    command.set_defaults(run=catalog_info)
    command = commands.add_parser("sessions")
    command.add_argument("--count", type=int, default=100)
    command.set_defaults(run=sessions)
    command = commands.add_parser("tokens")
    command.add_argument("--prefix", default="shopper")
    command.add_argument("--count", type=int, default=1)
    command.set_defaults(run=tokens)
    command = commands.add_parser("buyers")
    command.add_argument("--prefix", default="buyer")
    command.add_argument("--count", type=int, required=True)
    command.add_argument("--skus", type=int, default=10)
    command.add_argument("--stock", type=int, default=1_000_000)
    command.add_argument("--offset", type=int, default=0)
    command.set_defaults(run=buyers)
    command = commands.add_parser("stock")
    command.add_argument("--skus", required=True)
    command.add_argument("--prefix", required=True, help="the buyers' email prefix")
    command.set_defaults(run=stock)
    command = commands.add_parser("probe")
    command.add_argument("--words", default="{}")
    command.add_argument("--token", default="")
    command.add_argument("--repeat", type=int, default=100)
    command.set_defaults(run=probe)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
