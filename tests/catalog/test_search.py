"""Search people can use (docs/search.md), through the real HTTP API and storefront, on the
backend the run uses: PostgreSQL (full-text + trigram) or SQLite (the documented fallback)."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from shop.catalog import aggregates
from shop.catalog.models import Category, Product
from shop.catalog.selectors import ProductFilters
from tests.factories import create_category, create_product

API = "/api/v1/products"


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def sized(sizes, colour="Black", price="120.00", stock=3):
    return [{"price": price, "stock": stock, "options": {"size": s, "colour": colour}}
            for s in sizes]


@pytest.fixture
def shoes(db):
    shoes = create_category("Shoes")
    boots = create_category("Boots", parent=shoes)
    home = create_category("Home")
    kitchen = create_category("Kitchen", parent=home)
    create_product("Waxed Chelsea Boot", category=boots, variants=sized(["41", "42"]), age_days=5)
    create_product("Leather Chelsea Boots", category=boots,
                   variants=sized(["42", "43"], colour="Brown", price="240.00"), age_days=4)
    create_product("Trail Runner", category=boots, variants=sized(["42"], price="90.00"),
                   age_days=1)  # a boot by its category only
    create_product("Boot Care Kit", category=home, variants=[{"price": "19.00"}], age_days=3)
    create_product("Bottle Opener", category=kitchen, variants=[{"price": "9.00"}], age_days=2)
    create_product("Café Crème Mug", category=kitchen, variants=[{"price": "14.00"}])
    return boots


def names(body) -> list[str]:
    return [item["name"] for item in body["items"]]


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_stemming_finds_the_singular_for_the_plural(client, shoes):
    found = names(get(client, f"{API}?q=Chelsea+boots"))
    assert set(found) == {"Waxed Chelsea Boot", "Leather Chelsea Boots"}


def test_accents_and_case_do_not_matter(client, shoes):
    for q in ("cafe creme", "CAFÉ", "crème"):
        assert names(get(client, f"{API}?q={q}")) == ["Café Crème Mug"], q


def test_a_typo_still_finds_boots(client, shoes):
    body = get(client, f"{API}?q=bots")
    found = names(body)
    assert "Bottle Opener" not in found
    if on_postgres():  # trigram similarity finds the names with "boots" directly
        assert found == ["Leather Chelsea Boots"]
        assert "corrected_q" not in body
    else:  # the fallback searches the "did you mean" instead, and says so
        assert body["corrected_q"] == "boots"
        assert found[:3] == ["Boot Care Kit", "Leather Chelsea Boots", "Waxed Chelsea Boot"]


@pytest.mark.skipif("connection.vendor != 'postgresql'")  # SQLite matches word starts
def test_a_close_word_is_not_searched_when_the_word_itself_is_found(client, shoes):
    """The typo tier (trigrams) runs only when full text finds nothing: "boot" is 0.57 close
    to "booth", but the catalog has boots, so the photo booth is not a boot."""
    create_product("Photo Booth Lamp", category=Category.objects.get(slug="home"),
                   variants=[{"price": "30.00"}])
    for url in (f"{API}?q=boot", f"{API}?q=boot&sort=price", f"{API}?q=boot&facets=category"):
        body = get(client, url)
        assert "Photo Booth Lamp" not in names(body), url
        assert len(names(body)) == 4, url
    assert "Photo Booth Lamp" not in client.get("/products/?q=boot").content.decode()
    for sort in ("", "&sort=price"):  # no "bootth" in the catalog: a typo, found by trigrams
        assert "Photo Booth Lamp" in names(get(client, f"{API}?q=bootth{sort}")), sort


def test_relevance_puts_name_matches_before_category_matches(client, shoes):
    found = names(get(client, f"{API}?q=boots"))
    assert found[-1] == "Trail Runner"  # matched by its category "Boots" only
    assert set(found[:3]) == {"Waxed Chelsea Boot", "Leather Chelsea Boots", "Boot Care Kit"}
    # a sort asked for wins over relevance
    assert names(get(client, f"{API}?q=boots&sort=price"))[0] == "Boot Care Kit"
    assert names(get(client, f"{API}?q=boots&sort=newest"))[0] == "Trail Runner"


def test_no_query_lists_newest_first(client, shoes):
    assert names(get(client, API))[0] == "Café Crème Mug"


def test_did_you_mean(shoes):
    assert aggregates.suggestion("hikng chelsae") in ("hikng chelsea", "")  # no "hiking" here
    assert aggregates.suggestion("chelsae bots") == "chelsea boots"
    assert aggregates.suggestion("chelsea boots") == ""  # nothing to correct
    assert aggregates.suggestion("qzxv") == ""


def test_relevance_pages_walk_every_match_once(client, shoes):
    seen, url = [], f"{API}?q=boot&limit=2"
    while url:
        body = get(client, url)
        seen += names(body)
        url = f"{API}?q=boot&limit=2&cursor={body['next_cursor']}" if body["next_cursor"] else ""
    assert len(seen) == len(set(seen)) == 4
    assert client.get(f"{API}?q=boot&cursor=WzEsMl0").status_code == 400  # not an offset cursor


# --- facets and counts: for the whole result, in a fixed number of queries


def test_api_facets_count_the_whole_result_not_the_page(client, shoes):
    body = get(client, f"{API}?q=boots&limit=1&facets=category,size,colour,price")
    assert len(body["items"]) == 1
    assert body["count"] == 4
    facets = body["facets"]
    assert facets["category"] == [
        {"value": "boots", "label": "Boots", "count": 3},
        {"value": "home", "label": "Home", "count": 1},
    ]
    assert {v["value"]: v["count"] for v in facets["size"]} == {"41": 1, "42": 3, "43": 1}
    assert [v["value"] for v in facets["size"]] == ["41", "42", "43"]
    assert {v["value"]: v["count"] for v in facets["colour"]} == {"Black": 2, "Brown": 1}
    assert {v["value"]: v["count"] for v in facets["price"]} == {
        "0-24.99": 1, "50-99.99": 1, "100-249.99": 2}
    only = get(client, f"{API}?facets=size")
    assert set(only["facets"]) == {"size"}
    assert "facets" not in get(client, API)  # only when asked for
    assert client.get(f"{API}?facets=stock").status_code == 400


def test_option_filters_narrow_the_result(client, shoes):
    assert set(names(get(client, f"{API}?size=43"))) == {"Leather Chelsea Boots"}
    assert set(names(get(client, f"{API}?q=chelsea&colour=Black"))) == {"Waxed Chelsea Boot"}


@pytest.mark.parametrize("extra", [0, 60])
def test_facets_are_a_fixed_number_of_queries_whatever_the_result(
    shoes, django_assert_num_queries, extra
):
    Product.objects.bulk_create(
        Product(category=shoes, name=f"Boot Model {n}", slug=f"boot-model-{n}",
                price=Decimal(100 + n)) for n in range(extra)
    )
    categories = list(Category.objects.all())
    with django_assert_num_queries(aggregates.FACET_QUERIES):
        found = aggregates.facets(ProductFilters(q="boot"), categories=categories)
    assert found.count == 4 + extra
    with django_assert_num_queries(0):  # cached
        aggregates.facets(ProductFilters(q="boot"), categories=categories)
    with django_assert_num_queries(aggregates.FACET_QUERIES):
        assert aggregates.facets(ProductFilters(), categories=categories).count == 6 + extra


# --- the storefront


def test_storefront_shows_the_count_facets_and_relevance(client, shoes):
    body = client.get("/products/?q=boots").content.decode()
    assert re.search(r'class="result-count">4</strong> products', body)
    cards = re.findall(r'<h3 class="product-name"[^>]*>([^<]+)</h3>', body)
    assert cards[-1] == "Trail Runner"
    facets = body.split('id="facets"', 1)[1].split("</aside>", 1)[0]
    assert re.search(r'href="\?q=boots&amp;size=42"[^>]*><span class="facet-label">42</span> '
                     r'<span class="facet-count">3</span>', facets)
    assert "€100 to €250" in facets
    assert "min_price=100&amp;max_price=249.99" in facets


def test_storefront_searches_the_correction_when_nothing_matches(client, shoes):
    body = client.get("/products/?q=chelsae+botts").content.decode()
    assert "Waxed Chelsea Boot" in body
    assert "Showing results for <strong>“chelsea boots”</strong>" in body


def test_invalid_filters_are_a_page_with_the_shop_and_the_typed_values(client, shoes):
    response = client.get("/products/?min_price=100&max_price=50")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="site-header"' in body  # the shop's header and search, not a bare error
    assert 'value="100"' in body
    assert 'value="50"' in body
    assert re.search(r'id="filter-error"[^>]*>The minimum price is above the maximum', body)


def test_invalid_filters_in_htmx_answer_the_error_for_the_results(client, shoes):
    response = client.get("/products/?min_price=100&max_price=50", HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="results"' in body
    assert "The minimum price is above the maximum" in body


# --- the stored search column (PostgreSQL)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_search_vector_follows_renames_of_products_and_categories(client, shoes):
    product = Product.objects.get(name="Trail Runner")
    product.name = "Fell Runner"
    product.save()
    assert names(get(client, f"{API}?q=fell")) == ["Fell Runner"]
    Category.objects.filter(slug="kitchen").update(name="Scullery")
    assert set(names(get(client, f"{API}?q=scullery"))) == {"Bottle Opener", "Café Crème Mug"}
    Product.objects.update(search_vector=None)  # lost: the command rebuilds it
    Product.objects.filter(pk=product.pk).update(price=Decimal(1))
    call_command("search_reindex")
    assert names(get(client, f"{API}?q=Chelsea+boots&sort=name")) == [
        "Leather Chelsea Boots", "Waxed Chelsea Boot"]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_search_uses_the_indexes(shoes):
    from shop.catalog.selectors import product_queryset

    plans = {}
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        for typo in (False, True):  # full text; a typo (only when full text finds nothing)
            queryset = product_queryset(ProductFilters(q="boots"), typo=typo).order_by()
            sql, params = queryset.query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plans[typo] = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "product_search_vector_idx" in plans[False]
    assert "product_name_fold_trgm_idx" in plans[True]
