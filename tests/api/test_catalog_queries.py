"""The catalog API runs a fixed number of SQL queries, whatever the page size or the number of
variants: no N+1 as the catalog grows (docs/contract.md §3: fast at 100,000 products)."""


import pytest

from tests.factories import build_big_catalog, create_category, create_product

# Measured: list = 1 query (products with category and in-stock flag in one SELECT), plus 1 to
# resolve a category filter to its subtree; detail = 3 (product + category, variants, images).
API_LIST_QUERIES = 1
API_LIST_WITH_CATEGORY_QUERIES = 2
API_DETAIL_QUERIES = 3


@pytest.fixture
def big_catalog(db):
    return build_big_catalog()


@pytest.mark.parametrize("limit", [1, 10, 100])
@pytest.mark.parametrize(
    ("filters", "matching"),
    [
        ("", 130),
        ("&q=trail+item&in_stock=true&min_price=11&max_price=900&sort=-price", 97),
        ("&sort=name", 130),
    ],
)
def test_product_list_is_one_query_for_any_page_size(
    client, big_catalog, django_assert_num_queries, limit, filters, matching
):
    with django_assert_num_queries(API_LIST_QUERIES):
        response = client.get(f"/api/v1/products?limit={limit}{filters}")
    assert response.status_code == 200
    assert len(response.json()["items"]) == min(limit, matching)


@pytest.mark.parametrize("limit", [1, 10, 100])
def test_product_list_with_a_category_is_two_queries(
    client, big_catalog, django_assert_num_queries, limit
):
    with django_assert_num_queries(API_LIST_WITH_CATEGORY_QUERIES):
        response = client.get(f"/api/v1/products?category=outdoor&limit={limit}&sort=price")
    body = response.json()
    assert len(body["items"]) == (limit if limit < 87 else 87)  # 87 products in the subtree
    assert {item["category"] for item in body["items"]} <= {"outdoor", "tents"}


def test_next_page_costs_the_same(client, big_catalog, django_assert_num_queries):
    cursor = client.get("/api/v1/products?limit=100").json()["next_cursor"]
    with django_assert_num_queries(API_LIST_QUERIES):
        body = client.get(f"/api/v1/products?limit=100&cursor={cursor}").json()
    assert len(body["items"]) == 30
    assert body["next_cursor"] is None


@pytest.mark.parametrize("variant_count", [1, 40])
def test_product_detail_is_three_queries_whatever_the_variants(
    client, db, django_assert_num_queries, variant_count
):
    category = create_category("Shoes")
    product = create_product(
        "Runner",
        category=category,
        variants=[
            {"price": "80.00", "stock": n % 3, "options": {"size": str(36 + n)}}
            for n in range(variant_count)
        ],
    )
    for n in range(3):
        product.images.create(path=f"products/runner-{n}.jpg", alt=f"Runner {n}", position=n)
    with django_assert_num_queries(API_DETAIL_QUERIES):
        body = client.get("/api/v1/products/runner").json()
    assert len(body["variants"]) == variant_count
    assert len(body["images"]) == 3
