"""Baselines for the benchmark: what Django alone costs on this machine.

- hello: the smallest Django response, through the whole production middleware stack.
- bare_products: the rows of the first page of GET /api/v1/products (newest first, 24 items,
  the same JSON), read with one hand-written ORM query and written with orjson: no Ninja, no
  schemas, no selectors. The "framework floor" the product list is compared with.
"""

import orjson
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse

from shop.catalog.models import Product, Variant

PAGE = 24


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"Hello, world", content_type="text/plain")


def bare_products(request: HttpRequest) -> HttpResponse:
    rows = list(
        Product.objects.filter(is_active=True)
        .annotate(in_stock=Exists(Variant.objects.filter(product=OuterRef("pk"), stock__gt=0)))
        .order_by("-created_at", "-pk")
        .values_list(
            "slug", "name", "price", "category__slug", "image", "in_stock", "created_at", "pk",
        )[: PAGE + 1]
    )
    media = settings.MEDIA_URL
    currency = settings.SHOP_CURRENCY  # the shop's one currency: no column
    items = [
        {
            "slug": slug,
            "name": name,
            "price": str(price),
            "currency": currency,
            "category": category,
            "image_url": f"{media}{image}" if image else None,
            "in_stock": in_stock,
        }
        for slug, name, price, category, image, in_stock, _, _ in rows[:PAGE]
    ]
    last = rows[PAGE - 1] if len(rows) > PAGE else None
    next_cursor = f"{last[6].isoformat()}|{last[7]}" if last else None
    return HttpResponse(
        orjson.dumps({"items": items, "next_cursor": next_cursor}),
        content_type="application/json",
    )
