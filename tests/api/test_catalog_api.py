"""The public catalog API (docs/contract.md §4 catalog rows), seen from a client of the JSON API."""

import base64
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.catalog.models import Product
from tests.factories import create_category, create_product

API = "/api/v1"
SORTS = ["newest", "price", "-price", "name", "-name"]


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def assert_error(client, url, status, code=None):
    """An error in the docs/contract.md §4 shape, never cached, never a 500, with nothing internal
    in it."""
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "request_id"}
    assert body["error"]["request_id"] == response["X-Request-ID"]
    if code:
        assert body["error"]["code"] == code
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    for leak in ("Traceback", "SELECT", "/work/", "site-packages", "selectors.py"):
        assert leak not in text
    return body["error"]


def slugs(body):
    return [item["slug"] for item in body["items"]]


def cursor_for(payload):
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


# --- categories, shipping, schema


def test_categories_list_every_category_with_its_parent_slug(client, catalog):
    body = get_json(client, f"{API}/categories")
    by_slug = {c["slug"]: c for c in body}
    assert set(by_slug) == {"clothing", "t-shirts", "home"}
    assert by_slug["t-shirts"]["parent"] == "clothing"
    assert by_slug["clothing"]["parent"] is None
    assert by_slug["clothing"]["name"] == "Clothing"
    assert by_slug["clothing"]["description"] == "Shirts, hoodies and jackets."


def test_shipping_methods_always_offer_standard_with_a_string_price(client, db):
    body = get_json(client, f"{API}/shipping-methods")
    standard = next(m for m in body if m["code"] == "standard")
    assert set(standard) == {"code", "name", "price", "currency"}
    assert Decimal(standard["price"]) >= 0
    assert isinstance(standard["price"], str)
    assert standard["currency"] == "EUR"


def test_openapi_schema_is_json_and_documents_the_catalog_paths(client, db):
    schema = get_json(client, f"{API}/openapi.json")
    assert schema["openapi"].startswith("3.")
    for path in ("/categories", "/products", "/products/{slug}", "/shipping-methods"):
        assert f"/api/v1{path}" in schema["paths"]


def test_docs_page_renders_swagger_from_local_static_files(client, db):
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="swagger-ui"' in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn." not in html
    assert "unpkg" not in html
    assert "jsdelivr" not in html


# --- product list: shape and filters


def test_product_list_items_have_the_documented_shape(client, catalog):
    body = get_json(client, f"{API}/products")
    assert set(body) == {"items", "next_cursor"}
    assert body["next_cursor"] is None
    tee = next(item for item in body["items"] if item["slug"] == "organic-cotton-tee")
    assert tee == {
        "slug": "organic-cotton-tee",
        "name": "Organic Cotton Tee",
        "price": "24.00",  # the lowest variant price, as a string
        "currency": "EUR",
        "category": "t-shirts",
        "image_url": None,
        "in_stock": True,
    }
    lamp = next(item for item in body["items"] if item["slug"] == "brass-desk-lamp")
    assert lamp["in_stock"] is False


def test_search_is_case_insensitive_and_needs_every_word(client, catalog):
    assert slugs(get_json(client, f"{API}/products?q=HOODIE")) == ["heavyweight-hoodie"]
    assert slugs(get_json(client, f"{API}/products?q=cotton+tee")) == ["organic-cotton-tee"]
    assert slugs(get_json(client, f"{API}/products?q=%20%20stoneware%20%20mug%20")) == [
        "stoneware-mug"
    ]
    assert slugs(get_json(client, f"{API}/products?q=cotton+lamp")) == []


def test_category_filter_includes_subcategories(client, catalog):
    clothing = get_json(client, f"{API}/products?category=clothing")
    assert set(slugs(clothing)) == {"organic-cotton-tee", "heavyweight-hoodie"}
    assert slugs(get_json(client, f"{API}/products?category=t-shirts")) == ["organic-cotton-tee"]
    assert set(slugs(get_json(client, f"{API}/products?category=home"))) == {
        "brass-desk-lamp",
        "stoneware-mug",
    }


def test_category_filter_reaches_every_level_below(client, catalog):
    organic = create_category("Organic Tees", parent=catalog.tees)
    create_product("Hemp Tee", category=organic)
    assert set(slugs(get_json(client, f"{API}/products?category=clothing"))) == {
        "organic-cotton-tee",
        "heavyweight-hoodie",
        "hemp-tee",
    }
    assert slugs(get_json(client, f"{API}/products?category=organic-tees")) == ["hemp-tee"]


def test_search_ignores_case_and_accents_beyond_ascii(client, catalog):
    # Both backends fold the name and the words (shop.core.text.fold / shop_fold in SQL).
    create_product("Écru Linen Shirt", slug="ecru-linen-shirt", category=catalog.clothing)
    assert slugs(get_json(client, f"{API}/products?q=%C3%A9CRU")) == ["ecru-linen-shirt"]
    assert slugs(get_json(client, f"{API}/products?q=ecru")) == ["ecru-linen-shirt"]


def test_price_range_is_inclusive(client, catalog):
    body = get_json(client, f"{API}/products?min_price=24&max_price=69.00&sort=price")
    assert slugs(body) == ["organic-cotton-tee", "heavyweight-hoodie"]
    assert slugs(get_json(client, f"{API}/products?max_price=14.50")) == ["stoneware-mug"]
    assert slugs(get_json(client, f"{API}/products?min_price=120")) == ["brass-desk-lamp"]


def test_in_stock_hides_products_with_no_units_left(client, catalog):
    body = get_json(client, f"{API}/products?in_stock=true")
    assert set(slugs(body)) == {"organic-cotton-tee", "heavyweight-hoodie", "stoneware-mug"}
    assert all(item["in_stock"] for item in body["items"])
    assert len(slugs(get_json(client, f"{API}/products?in_stock=false"))) == 4


def test_filters_combine(client, catalog):
    body = get_json(client, f"{API}/products?category=home&in_stock=1&q=MUG&max_price=20")
    assert slugs(body) == ["stoneware-mug"]


def test_inactive_products_are_not_listed_nor_shown(client, catalog):
    Product.objects.filter(pk=catalog.mug.pk).update(is_active=False)
    assert "stoneware-mug" not in slugs(get_json(client, f"{API}/products"))
    assert_error(client, f"{API}/products/stoneware-mug", 404, "not_found")


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (
            "newest",
            ["stoneware-mug", "brass-desk-lamp", "heavyweight-hoodie", "organic-cotton-tee"],
        ),
        ("price", ["stoneware-mug", "organic-cotton-tee", "heavyweight-hoodie", "brass-desk-lamp"]),
        (
            "-price",
            ["brass-desk-lamp", "heavyweight-hoodie", "organic-cotton-tee", "stoneware-mug"],
        ),
        ("name", ["brass-desk-lamp", "heavyweight-hoodie", "organic-cotton-tee", "stoneware-mug"]),
        ("-name", ["stoneware-mug", "organic-cotton-tee", "heavyweight-hoodie", "brass-desk-lamp"]),
    ],
)
def test_sorts_give_the_right_order(client, catalog, sort, expected):
    assert slugs(get_json(client, f"{API}/products?sort={sort}")) == expected


def test_default_sort_is_newest(client, catalog):
    assert slugs(get_json(client, f"{API}/products")) == slugs(
        get_json(client, f"{API}/products?sort=newest")
    )


# --- cursor pagination


@pytest.fixture
def tied_catalog(db):
    """15 active products with ties on price, name and creation time, plus one inactive."""
    shop = create_category("Shop")
    made = timezone.now() - timedelta(days=10)
    specs = [
        # name, price, age_days (None = the shared creation instant)
        ("Apple Crate", "10.00", 1),
        ("Birch Stool", "10.00", None),
        ("Cedar Box", "10.00", None),
        ("Dune Throw", "25.00", 3),
        ("Elm Tray", "25.00", None),
        ("Fern Print", "25.00", 5),
        ("Glass Jar", "5.00", 6),
        ("Hemp Bag", "99.99", 7),
        ("Iron Hook", "10.00", 8),
        ("Jute Rug", "25.00", 9),
        ("Kilim Pouf", "40.00", 11),
        ("Linen Apron", "40.00", 12),
    ]
    for name, price, age in specs:
        product = create_product(
            name, category=shop, age_days=age or 0, variants=[{"price": price, "stock": 1}]
        )
        if age is None:
            Product.objects.filter(pk=product.pk).update(created_at=made)
    # Three products with the same name (and price and time): only the id separates them.
    for n in range(3):
        product = create_product(
            "Moss Candle",
            slug=f"moss-candle-{n}",
            category=shop,
            variants=[{"price": "12.00", "stock": 2}],
        )
        Product.objects.filter(pk=product.pk).update(created_at=made)
    create_product("Hidden Lamp", category=shop, is_active=False)
    return Product.objects.filter(is_active=True)


def walk(client, sort, limit, extra=""):
    """Follow next_cursor from the first page to the last; returns every slug seen, in order."""
    seen, cursor, pages = [], None, 0
    while True:
        url = f"{API}/products?sort={sort}&limit={limit}{extra}"
        if cursor:
            url += f"&cursor={cursor}"
        body = get_json(client, url)
        assert len(body["items"]) <= limit
        seen += slugs(body)
        pages += 1
        assert pages <= 50, "pagination does not end"
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


@pytest.mark.parametrize("limit", [1, 2])
@pytest.mark.parametrize("sort", SORTS)
def test_cursor_walks_every_product_exactly_once(client, tied_catalog, sort, limit):
    seen = walk(client, sort, limit)
    assert len(seen) == len(set(seen)) == 15
    assert set(seen) == set(tied_catalog.values_list("slug", flat=True))
    # the same order as one big page
    assert seen == slugs(get_json(client, f"{API}/products?sort={sort}&limit=100"))
    keys = {p.slug: p for p in tied_catalog}
    if sort in ("price", "-price"):
        prices = [keys[s].price for s in seen]
        assert prices == sorted(prices, reverse=sort == "-price")
    elif sort in ("name", "-name"):
        names = [keys[s].name for s in seen]
        assert names == sorted(names, reverse=sort == "-name")
    else:
        times = [keys[s].created_at for s in seen]
        assert times == sorted(times, reverse=True)


def test_cursor_keeps_the_filters(client, tied_catalog):
    seen = walk(client, "price", 2, "&min_price=10&max_price=25")
    assert len(seen) == len(set(seen)) == 11
    assert "glass-jar" not in seen
    assert "hemp-bag" not in seen


def test_last_page_has_no_next_cursor(client, tied_catalog):
    body = get_json(client, f"{API}/products?limit=15")
    assert len(body["items"]) == 15
    assert body["next_cursor"] is None
    body = get_json(client, f"{API}/products?limit=14")
    assert len(body["items"]) == 14
    assert body["next_cursor"]


def test_default_page_size_is_24(client, db):
    shop = create_category("Shop")
    Product.objects.bulk_create(
        Product(category=shop, name=f"Thing {n}", slug=f"thing-{n}", price=Decimal(1))
        for n in range(30)
    )
    body = get_json(client, f"{API}/products")
    assert len(body["items"]) == 24
    assert body["next_cursor"]


# --- errors


@pytest.mark.parametrize("limit", ["0", "101", "-1", "1000"])
def test_limit_out_of_range_is_422(client, catalog, limit):
    error = assert_error(client, f"{API}/products?limit={limit}", 422, "invalid_input")
    assert "limit" in error["message"]


def test_limit_100_is_allowed(client, catalog):
    assert len(get_json(client, f"{API}/products?limit=100")["items"]) == 4


@pytest.mark.parametrize(
    "query",
    [
        "limit=abc",
        "min_price=cheap",
        "max_price=NaN",
        "min_price=-1",
        "min_price=1.234",
        "in_stock=maybe",
        "sort=popular",
        "q=" + "x" * 101,
    ],
)
def test_bad_types_are_422(client, catalog, query):
    assert_error(client, f"{API}/products?{query}", 422, "invalid_input")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "!!!",
        cursor_for(["price", "abc", 1]),
        cursor_for(["price", "Infinity", 1]),
        cursor_for(["price", "1E+999999", 1]),  # overflows PostgreSQL's numeric
        cursor_for(["price", "10.00", "1"]),
        cursor_for(["price", "10.00", True]),
        cursor_for(["price", "10.00", 2**63]),
        cursor_for(["price", "10.00"]),
        cursor_for({"sort": "price"}),
    ],
)
def test_bad_cursor_is_400(client, catalog, cursor):
    error = assert_error(client, f"{API}/products?sort=price&cursor={cursor}", 400)
    assert error["code"] == "invalid_input"
    assert "cursor" in error["message"]


@pytest.mark.parametrize(
    "payload",
    [
        ["newest", "2024-01-01T00:00:00", 1],  # no time zone
        ["newest", "0001-01-01T00:00:00+14:00", 1],  # before year 1 in UTC
        ["newest", "yesterday", 1],
    ],
)
def test_bad_time_in_cursor_is_400(client, catalog, payload):
    assert_error(client, f"{API}/products?cursor={cursor_for(payload)}", 400, "invalid_input")


def test_name_cursor_with_a_nul_byte_is_400(client, catalog):
    cursor = cursor_for(["name", "a\x00b", 1])
    assert_error(client, f"{API}/products?sort=name&cursor={cursor}", 400, "invalid_input")


def test_search_with_a_nul_byte_is_400_not_500(client, catalog):
    assert_error(client, f"{API}/products?q=mug%00", 400, "invalid_input")


def test_cursor_from_another_sort_is_400(client, tied_catalog):
    cursor = get_json(client, f"{API}/products?sort=price&limit=2")["next_cursor"]
    assert cursor
    for other in ("newest", "-price", "name", "-name"):
        assert_error(client, f"{API}/products?sort={other}&cursor={cursor}", 400, "invalid_input")
    assert get_json(client, f"{API}/products?sort=price&limit=2&cursor={cursor}")["items"]


def test_min_price_above_max_price_is_400(client, catalog):
    error = assert_error(client, f"{API}/products?min_price=50&max_price=10", 400)
    assert error["code"] == "invalid_input"


def test_unknown_category_is_404(client, catalog):
    assert_error(client, f"{API}/products?category=no-such-thing", 404, "not_found")


# --- product detail


def test_product_detail_lists_variants_with_what_can_be_bought(client, catalog):
    body = get_json(client, f"{API}/products/organic-cotton-tee")
    assert body["slug"] == "organic-cotton-tee"
    assert body["name"] == "Organic Cotton Tee"
    assert body["category"] == {"slug": "t-shirts", "name": "T-Shirts"}
    assert body["price"] == "24.00"
    assert body["currency"] == "EUR"
    assert body["images"] == []
    assert [v["options"] for v in body["variants"]] == [
        {"size": "S", "colour": "White"},
        {"size": "M", "colour": "White"},
        {"size": "L", "colour": "Navy"},
    ]
    # the exact stock only at or below the low-stock threshold (5): 9 shows as "more than 5"
    assert [(v["price"], v["availability"], v["available"]) for v in body["variants"]] == [
        ("24.00", "low", 4),
        ("24.00", "sold_out", 0),
        ("26.00", "in_stock", 6),
    ]
    for variant in body["variants"]:
        assert set(variant) == {"sku", "options", "price", "currency", "availability",
                                "available"}
        assert variant["sku"]
        assert variant["currency"] == "EUR"


def test_product_detail_lists_images_in_order(client, catalog):
    catalog.mug.images.create(path="products/mug-side.jpg", alt="The mug from the side", position=2)
    catalog.mug.images.create(path="products/mug.jpg", alt="A stoneware mug", position=1)
    body = get_json(client, f"{API}/products/stoneware-mug")
    assert body["images"] == [
        {"url": "/media/products/mug.jpg", "alt": "A stoneware mug"},
        {"url": "/media/products/mug-side.jpg", "alt": "The mug from the side"},
    ]


def test_product_detail_shows_no_internal_fields(client, catalog):
    body = get_json(client, f"{API}/products/organic-cotton-tee")
    for internal in ("id", "stock", "is_active", "is_featured", "position"):
        assert internal not in body
        assert all(internal not in v for v in body["variants"])


@pytest.mark.parametrize("slug", ["no-such-product", "ORGANIC-COTTON-TEE", "x%00y"])
def test_unknown_product_is_404_json(client, catalog, slug):
    assert_error(client, f"{API}/products/{slug}", 404, "not_found")


def test_unknown_api_path_is_404_json(client, db):
    assert_error(client, f"{API}/no-such-endpoint", 404, "not_found")


def test_catalog_answers_are_publicly_cacheable(client, catalog):
    for url in (f"{API}/products", f"{API}/products/stoneware-mug", f"{API}/categories"):
        response = client.get(url)
        assert response["Cache-Control"].startswith("public")
        assert response["ETag"]
        assert not response.cookies


def test_the_exact_stock_above_the_threshold_is_never_shown(client, catalog):
    """Competitors read "available": 21 to follow a shop's sales: neither the API nor the page
    tells more than "in stock" above the low-stock threshold."""
    from shop.catalog.models import Variant

    # a number no SKU, price or id of the test catalog holds ("21" was in SKU-000217 at times)
    Variant.objects.filter(product=catalog.mug).update(stock=987_654)
    body = get_json(client, f"{API}/products/{catalog.mug.slug}")
    assert [(v["availability"], v["available"]) for v in body["variants"]] == [("in_stock", 6)]
    assert "987654" not in client.get(f"{API}/products/{catalog.mug.slug}").content.decode()
    page = client.get(f"/products/{catalog.mug.slug}/").content.decode()
    assert "In stock" in page
    assert "987654" not in page
    Variant.objects.filter(product=catalog.mug).update(stock=3)
    body = get_json(client, f"{API}/products/{catalog.mug.slug}?v=2")
    assert [(v["availability"], v["available"]) for v in body["variants"]] == [("low", 3)]
