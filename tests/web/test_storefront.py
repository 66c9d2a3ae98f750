"""The storefront's catalog pages, as a shopper sees them (HTML over the Django test client)."""

import html
import re

import pytest

from shop.catalog.models import Product, Variant
from tests.factories import create_category, create_product, create_user


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def product_names(body):
    """The product cards of a page, in order."""
    return [html.unescape(n) for n in re.findall(r'class="product-name"[^>]*>([^<]+)</h3>', body)]


def section(body, heading_id):
    """The HTML of the <section> labelled by heading_id."""
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', body, re.S)
    assert match, heading_id
    return match.group(0)


def next_page_href(body):
    match = re.search(r'<a class="button" rel="next" href="([^"]+)">Next', body)
    return html.unescape(match.group(1)) if match else None


def radio_for(body, option, value):
    match = re.search(rf'<input type="radio" name="{option}" id="([^"]+)" value="{value}"[^>]*>',
                      body)
    assert match, (option, value)
    return match.group(0)


def option_label(body, option, value):
    """The label of one choice, as (its state, its words)."""
    radio_id = re.search(r'id="([^"]+)"', radio_for(body, option, value)).group(1)
    match = re.search(rf'<label for="{radio_id}" class="[^"]*" data-state="(\w+)">(.*?)</label>',
                      body, re.S)
    assert match, (option, value)
    return match.group(1), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2))).strip()


# --- home


def test_home_lists_top_categories_featured_and_new_products(client, catalog):
    body = page(client, "/")
    categories = section(body, "categories-heading")
    assert 'href="/c/clothing/"' in categories
    assert 'href="/c/home/"' in categories
    assert "T-Shirts" not in categories  # subcategories live on their parent's page
    assert product_names(section(body, "featured-heading")) == ["Organic Cotton Tee"]
    assert product_names(section(body, "new-heading")) == [
        "Stoneware Mug",
        "Brass Desk Lamp",
        "Heavyweight Hoodie",
        "Organic Cotton Tee",
    ]


def test_home_cards_show_price_and_availability(client, catalog):
    body = page(client, "/")
    lamp = re.search(
        r'<li class="product-card[^"]*">(?:(?!</li>).)*Brass Desk Lamp.*?</li>', body, re.S
    )
    assert lamp
    assert "€120.00" in lamp.group(0)
    assert "Sold out" in lamp.group(0)
    mug = re.search(
        r'<li class="product-card[^"]*">(?:(?!</li>).)*Stoneware Mug.*?</li>', body, re.S
    )
    assert mug
    assert "€14.50" in mug.group(0)
    assert "In stock" in mug.group(0)
    assert 'href="/products/stoneware-mug/"' in body


def test_home_without_products_still_renders(client, db):
    body = page(client, "/")
    assert "New products are on their way" in body


def test_public_pages_are_the_same_for_a_signed_in_shopper(client, catalog):
    urls = ["/", "/c/clothing/", "/products/?q=tee", "/products/organic-cotton-tee/"]
    anonymous = {url: client.get(url).content for url in urls}
    shopper = create_user("ada@example.com", name="Ada Lovelace")
    client.force_login(shopper)
    for url in urls:
        response = client.get(url)
        assert response.content == anonymous[url], url
        assert b"Ada" not in response.content
        assert b"ada@example.com" not in response.content
        assert b"csrfmiddlewaretoken" not in response.content
        assert not response.cookies
        assert "Set-Cookie" not in response


# --- category pages


def current_in_category_bar(body):
    """The names the category bar marks as the current page."""
    bar = re.search(r'<nav class="wrap category-nav".*?</nav>', body, re.S).group(0)
    return re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', bar)


def test_category_bar_marks_where_the_shopper_is(client, catalog):
    # issue 16: the bar's links and marks are computed once in Python (shop/web/cards.py)
    assert current_in_category_bar(page(client, "/products/")) == ["All products"]
    assert current_in_category_bar(page(client, "/c/clothing/")) == ["Clothing"]
    assert current_in_category_bar(page(client, "/c/t-shirts/")) == ["Clothing"]  # the parent
    assert current_in_category_bar(page(client, "/products/?category=home")) == ["Home"]
    assert current_in_category_bar(page(client, "/")) == []
    bar = re.search(r'<nav class="wrap category-nav".*?</nav>', page(client, "/"), re.S).group(0)
    assert '<a href="/c/clothing/">Clothing</a>' in bar
    chosen = page(client, "/products/?category=t-shirts")
    assert re.search(r'<option value="t-shirts" selected>— T-Shirts</option>', chosen)
    assert current_in_category_bar(chosen) == []  # a subcategory filter marks no top category
    assert current_in_category_bar(page(client, "/products/?min_price=x", status=400)) == []


def test_category_page_includes_products_of_subcategories(client, catalog):
    body = page(client, "/c/clothing/")
    assert ">Clothing</h1>" in body
    assert set(product_names(body)) == {"Organic Cotton Tee", "Heavyweight Hoodie"}
    assert 'href="/c/t-shirts/"' in body  # the subcategory chip


def test_subcategory_page_has_breadcrumbs_to_its_parent(client, catalog):
    body = page(client, "/c/t-shirts/")
    assert product_names(body) == ["Organic Cotton Tee"]
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', body, re.S).group(0)
    assert 'href="/c/clothing/"' in crumbs
    assert 'aria-current="page">T-Shirts' in crumbs


def test_category_page_keeps_its_filters(client, catalog):
    body = page(client, "/c/home/?in_stock=on")
    assert product_names(body) == ["Stoneware Mug"]
    body = page(client, "/c/clothing/?sort=price")
    assert product_names(body) == ["Organic Cotton Tee", "Heavyweight Hoodie"]


def test_unknown_category_is_a_404_page(client, catalog):
    body = page(client, "/c/no-such-category/", status=404)
    assert "couldn't find" in body.lower() or "not exist" in body.lower()


# --- search, filter, sort


def test_header_search_goes_to_the_product_list(client, catalog):
    body = page(client, "/")
    form = re.search(r'<form class="header-search"[^>]*>', body).group(0)
    assert 'action="/products/"' in form
    assert 'method="get"' in form
    assert 'name="q"' in body


def test_search_finds_products_by_any_case_and_all_words(client, catalog):
    assert product_names(page(client, "/products/?q=COTTON")) == ["Organic Cotton Tee"]
    assert product_names(page(client, "/products/?q=stoneware+mug")) == ["Stoneware Mug"]
    body = page(client, "/products/?q=velvet")
    assert product_names(body) == []
    assert "No products match" in body


def test_names_with_markup_are_escaped_once_in_cards_bar_choices_and_facets(client, db):
    """Card, category bar, category choice and facet texts are escaped in Python
    (shop/web/cards.py `written`), then written as they are: exactly once, never raw."""
    tools = create_category('Tools & "Co" <i>')
    create_product("Pot <b>'n'</b> Pan & \"Lid\"", category=tools, variants=[{"price": "5.00"}])
    body = page(client, "/products/")
    assert "<b>" not in body
    assert "<i>" not in body
    assert "Pot &lt;b&gt;&#x27;n&#x27;&lt;/b&gt; Pan &amp; &quot;Lid&quot;" in body
    assert body.count("Tools &amp; &quot;Co&quot; &lt;i&gt;") == 4  # bar, choice, facet, card
    assert "&amp;amp;" not in body
    assert "&amp;lt;" not in body


def test_search_text_is_shown_back_escaped(client, catalog):
    body = page(client, "/products/?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_filters_by_category_price_and_stock(client, catalog):
    assert set(product_names(page(client, "/products/?category=clothing"))) == {
        "Organic Cotton Tee",
        "Heavyweight Hoodie",
    }
    assert product_names(page(client, "/products/?min_price=20&max_price=70&sort=price")) == [
        "Organic Cotton Tee",
        "Heavyweight Hoodie",
    ]
    in_stock = product_names(page(client, "/products/?in_stock=on"))
    assert "Brass Desk Lamp" not in in_stock
    assert len(in_stock) == 3


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [
        ("newest", "Stoneware Mug", "Organic Cotton Tee"),
        ("price", "Stoneware Mug", "Brass Desk Lamp"),
        ("-price", "Brass Desk Lamp", "Stoneware Mug"),
        ("name", "Brass Desk Lamp", "Stoneware Mug"),
        ("-name", "Stoneware Mug", "Brass Desk Lamp"),
    ],
)
def test_sort_orders_the_list(client, catalog, sort, first, last):
    names = product_names(page(client, f"/products/?sort={sort}"))
    assert (names[0], names[-1]) == (first, last)
    body = page(client, f"/products/?sort={sort}")
    assert re.search(rf'<option value="{re.escape(sort)}" selected>', body)


def test_filter_form_submits_to_the_page_it_is_on(client, catalog):
    body = page(client, "/c/clothing/?sort=price")
    form = re.search(r'<form id="filters"[^>]*>', body).group(0)
    assert 'action="/c/clothing/"' in form
    assert 'hx-get="/c/clothing/"' in form


@pytest.mark.parametrize(
    "query",
    ["min_price=50&max_price=10", "min_price=abc", "sort=popular", "category=no-such-thing"],
)
def test_bad_filters_are_a_generic_error_page(client, catalog, query):
    response = client.get(f"/products/?{query}")
    assert response.status_code in (400, 404)
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert "Traceback" not in body
    assert "selectors" not in body
    assert "no-store" in response["Cache-Control"]


# --- pagination


@pytest.fixture
def seven_products(db, settings):
    settings.SHOP_PAGE_SIZE = 3
    shelf = create_category("Shelf")
    for n in range(7):
        create_product(f"Jar {n}", category=shelf, age_days=n, variants=[{"price": "9.00"}])


def test_next_page_link_walks_every_product_once(client, seven_products):
    url, seen, pages = "/products/?sort=price", [], 0
    while url:
        body = page(client, url)
        seen += product_names(body)
        pages += 1
        href = next_page_href(body)
        url = f"/products/{href}" if href else None
        if url:
            assert "sort=price" in url  # the filters travel with the page number
            assert f"page={pages + 1}" in url
    assert pages == 3
    assert sorted(seen) == [f"Jar {n}" for n in range(7)]
    assert len(set(seen)) == 7


def test_pages_are_numbered_with_their_count(client, seven_products):
    first = page(client, "/products/?q=jar")
    assert 'rel="prev"' not in first
    assert re.search(r'class="result-count">7</strong> products · page 1 of 3', first)
    second = page(client, "/products/" + next_page_href(first))
    assert "page 2 of 3" in second
    assert re.search(r'<a class="button secondary" rel="prev" href="\?q=jar">Previous</a>', second)
    assert re.search(r'<a href="\?q=jar&amp;page=3" aria-label="Page 3">3</a>', second)
    assert '<a aria-current="page" href="?q=jar&amp;page=2">2</a>' in second


@pytest.mark.parametrize("query", ["page=garbage", "page=0", "page=4", "page=99999999"])
def test_a_page_that_does_not_exist_is_a_400_page_with_the_shop_around_it(
    client, seven_products, query
):
    response = client.get(f"/products/?q=jar&{query}")
    assert response.status_code == 400
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert 'class="site-header"' in body  # a page, not a bare error
    assert 'id="filters"' in body
    assert "page" in body.lower()  # says what is wrong, in words
    assert 'value="jar"' in body  # what was typed stays in the form
    for leak in ("Traceback", "base64", "orjson", "binascii", "selectors.py"):
        assert leak not in body


# --- product page


def test_product_page_has_one_choice_per_option_with_sold_out_marked(client, catalog):
    body = page(client, "/products/organic-cotton-tee/")
    assert re.search(r"<h1[^>]*>Organic Cotton Tee</h1>", body)
    # S / White is chosen (the first in stock): one group per option, each value once
    assert "checked" in radio_for(body, "size", "S")
    assert "checked" in radio_for(body, "colour", "White")
    assert body.count(" checked") == 2
    assert option_label(body, "size", "S") == ("available", "S")
    assert option_label(body, "size", "M") == ("sold_out", "M sold out")  # M / White: 0 left
    assert option_label(body, "size", "L")[0] == "missing"  # no L / White
    assert option_label(body, "colour", "Navy")[0] == "missing"  # no S / Navy
    assert re.search(r'id="price" data-testid="price">€24.00<', body)
    assert "Only 4 left" in body
    assert '<svg class="swatch"' in body  # colours as swatches
    assert "csrfmiddlewaretoken" not in body  # public: its forms carry no token
    assert "The Organic Cotton Tee, made to last." in body  # the description


def test_choosing_options_redirects_to_the_variant_s_own_address(client, catalog):
    """The picker is a plain GET form: without JavaScript it works the same way."""
    tee = "/products/organic-cotton-tee/"
    small, medium, large = catalog.tee.variants.order_by("position")
    # size M with White kept: M / White (sold out, but it exists)
    response = client.get(tee, {"variant": small.sku, "size": "M", "colour": "White"})
    assert response.status_code == 302
    assert response["Location"] == f"{tee}?variant={medium.sku}"
    # size L with White: no such variant; the new size wins, the colour follows (Navy)
    response = client.get(tee, {"variant": medium.sku, "size": "L", "colour": "White"})
    assert response["Location"] == f"{tee}?variant={large.sku}"
    # colour White from L / Navy: the colour wins, a size that has it (S, in stock)
    response = client.get(tee, {"variant": large.sku, "size": "L", "colour": "White"})
    assert response["Location"] == f"{tee}?variant={small.sku}"
    # a value the product does not have changes nothing
    response = client.get(tee, {"variant": large.sku, "size": "XXL", "colour": "Navy"})
    assert response["Location"] == f"{tee}?variant={large.sku}"
    assert "Set-Cookie" not in response


def test_product_page_preselects_the_first_variant_in_stock(client, db):
    shoes = create_category("Shoes")
    create_product(
        "Runner",
        category=shoes,
        variants=[
            {"sku": "RUN-40", "price": "80.00", "stock": 0, "options": {"size": "40"}},
            {"sku": "RUN-41", "price": "85.00", "stock": 2, "options": {"size": "41"}},
        ],
    )
    body = page(client, "/products/runner/")
    assert "checked" in radio_for(body, "size", "41")
    assert "checked" not in radio_for(body, "size", "40")
    assert re.search(r'id="price" data-testid="price">€85.00<', body)


def test_variant_parameter_selects_that_variant(client, catalog):
    sold_out = catalog.tee.variants.get(stock=0)
    body = page(client, f"/products/organic-cotton-tee/?variant={sold_out.sku}")
    assert "checked" in radio_for(body, "size", "M")
    assert body.count(" checked") == 2
    availability = re.search(r'id="availability"[^>]*>(.*?)</p>', body, re.S).group(1)
    assert "Sold out" in availability
    assert "Choose another option" in availability
    assert f"SKU <span>{sold_out.sku}</span>" in body

    navy = catalog.tee.variants.get(options__colour="Navy")
    body = page(client, f"/products/organic-cotton-tee/?variant={navy.sku}")
    assert "checked" in radio_for(body, "colour", "Navy")
    assert re.search(r'id="price" data-testid="price">€26.00<', body)


def test_unknown_variant_falls_back_to_one_in_stock(client, catalog):
    body = page(client, "/products/organic-cotton-tee/?variant=NOPE")
    assert "checked" in radio_for(body, "size", "S")


def test_variant_form_asks_the_product_url_not_the_current_one(client, catalog):
    body = page(client, "/products/organic-cotton-tee/?variant=x")
    form = re.search(r'<form class="variant-form"[^>]*>', body).group(0)
    assert 'hx-get="/products/organic-cotton-tee/"' in form
    assert 'action="/products/organic-cotton-tee/"' in form


def test_product_with_one_variant_has_no_option_picker(client, catalog):
    body = page(client, "/products/stoneware-mug/")
    assert 'type="radio"' not in body
    assert re.search(r'id="price" data-testid="price">€14.50<', body)
    assert "In stock" in re.search(r'id="availability"[^>]*>(.*?)</p>', body, re.S).group(1)


def test_product_sold_out_everywhere_says_so(client, catalog):
    body = page(client, "/products/brass-desk-lamp/")
    availability = re.search(r'id="availability">(.*?)</p>', body, re.S).group(1)
    assert "Sold out" in availability
    assert "another option" not in availability


def test_product_breadcrumbs_lead_back_to_its_categories(client, catalog):
    body = page(client, "/products/organic-cotton-tee/")
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', body, re.S).group(0)
    assert 'href="/c/clothing/"' in crumbs
    assert 'href="/c/t-shirts/"' in crumbs


def test_product_images_are_shown_with_their_alt_text(client, catalog):
    catalog.mug.images.create(path="products/mug.jpg", alt="A grey stoneware mug", position=0)
    body = page(client, "/products/stoneware-mug/")
    assert '<img src="/media/products/mug.jpg" alt="A grey stoneware mug"' in body


@pytest.mark.parametrize("slug", ["no-such-product", "brass-desk-lamp-2"])
def test_unknown_product_is_a_404_page(client, catalog, slug):
    body = page(client, f"/products/{slug}/", status=404)
    assert "Brass Desk Lamp" not in body


def test_inactive_product_is_a_404_page(client, catalog):
    Product.objects.filter(pk=catalog.mug.pk).update(is_active=False)
    page(client, "/products/stoneware-mug/", status=404)
    assert "Stoneware Mug" not in page(client, "/")


def test_product_without_variants_still_renders(client, catalog):
    Variant.objects.filter(product=catalog.mug).delete()
    body = page(client, "/products/stoneware-mug/")
    assert re.search(r'id="price">€14.50<', body)
