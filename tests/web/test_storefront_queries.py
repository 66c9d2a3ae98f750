"""Storefront pages run a fixed number of SQL queries, whatever the page size or the number of
variants (no N+1 in the templates)."""


import pytest
from django.core.cache import cache

from shop.catalog.aggregates import FACET_QUERIES
from tests.factories import build_big_catalog, create_category, create_product

# Measured: list = categories (the menu, and the subtree of a category filter) + the count
# and facets of the whole result (FACET_QUERIES, cached: none on the next request) + one
# product query; a category page adds the category itself; a page after the first reads its
# ids first (one more); detail = product, variants, images; home = categories, featured,
# newest.
PAGE_LIST_QUERIES = 2 + FACET_QUERIES
PAGE_LIST_FILTERED_BY_CATEGORY_QUERIES = 2 + FACET_QUERIES
PAGE_CATEGORY_QUERIES = 3 + FACET_QUERIES
PAGE_DETAIL_QUERIES = 3
PAGE_HOME_QUERIES = 3


@pytest.fixture
def big_catalog(db):
    return build_big_catalog()


def card_count(response) -> int:
    return response.content.count(b'class="product-name"')


@pytest.mark.parametrize("page_size", [1, 10, 100])
@pytest.mark.parametrize(
    ("query", "matching"),
    [("", 130), ("?q=trail&in_stock=on&min_price=11&max_price=900&sort=-price", 97)],
)
def test_product_list_page_is_two_queries_for_any_page_size(
    client, big_catalog, settings, django_assert_num_queries, page_size, query, matching
):
    settings.SHOP_PAGE_SIZE = page_size
    with django_assert_num_queries(PAGE_LIST_QUERIES):
        response = client.get(f"/products/{query}")
    assert response.status_code == 200
    assert card_count(response) == min(page_size, matching)
    assert f'class="result-count">{matching}<'.encode() in response.content
    with django_assert_num_queries(PAGE_LIST_QUERIES - FACET_QUERIES):  # facets cached
        assert card_count(client.get(f"/products/{query}")) == min(page_size, matching)


@pytest.mark.parametrize("page_size", [1, 10, 100])
def test_category_pages_are_a_fixed_number_of_queries(
    client, big_catalog, settings, django_assert_num_queries, page_size
):
    settings.SHOP_PAGE_SIZE = page_size
    with django_assert_num_queries(PAGE_CATEGORY_QUERIES):
        response = client.get("/c/outdoor/?sort=name&in_stock=on")
    assert card_count(response) == min(page_size, 65)  # 87 in the subtree, 65 in stock
    with django_assert_num_queries(PAGE_LIST_FILTERED_BY_CATEGORY_QUERIES):
        response = client.get("/products/?category=outdoor")
    assert card_count(response) == min(page_size, 87)


def test_next_page_costs_the_same(client, big_catalog, settings, django_assert_num_queries):
    settings.SHOP_PAGE_SIZE = 100
    first = client.get("/products/").content.decode()
    href = first.split('rel="next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert href == "?page=2"
    cache.clear()
    with django_assert_num_queries(PAGE_LIST_QUERIES + 1):
        response = client.get(f"/products/{href}")
    assert card_count(response) == 30


def test_home_is_three_queries(client, big_catalog, django_assert_num_queries):
    with django_assert_num_queries(PAGE_HOME_QUERIES):
        response = client.get("/")
    assert card_count(response) == 8 + 8  # featured and new arrivals


@pytest.mark.parametrize("variant_count", [1, 40])
def test_product_page_is_three_queries_whatever_the_variants(
    client, db, django_assert_num_queries, variant_count
):
    category = create_category("Shoes")
    create_product(
        "Runner",
        category=category,
        variants=[
            {"price": "80.00", "stock": n % 3, "options": {"size": str(36 + n)}}
            for n in range(variant_count)
        ],
    )
    with django_assert_num_queries(PAGE_DETAIL_QUERIES):
        response = client.get("/products/runner/")
    assert response.status_code == 200
    assert response.content.count(b'type="radio"') == (variant_count if variant_count > 1 else 0)
