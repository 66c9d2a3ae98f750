"""The storefront cart: guest carts bound to the session, htmx fragments, the cached product
page's private add-to-cart fragment, the merge at sign-in and the cart leaving at sign-out."""

import re

import pytest
from django.test import Client

from shop.cart.models import Cart, CartLine
from shop.core.ownership import GUEST_SESSION_KEY
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def skus(product) -> list[str]:
    return list(product.variants.order_by("position", "pk").values_list("sku", flat=True))


def add(client, sku, quantity=1, *, htmx=True, product="organic-cotton-tee"):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post("/cart/add/", {"sku": sku, "quantity": quantity, "product": product},
                       **headers)


def cart_skus(client) -> list[str]:
    return re.findall(r'name="sku" value="([^"]+)"', client.get("/cart/").content.decode())[::2]


def sign_in(client, email="alice@example.com"):
    response = client.post("/account/sign-in/", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return response


def test_the_product_page_stays_public_and_its_form_fetches_the_token(catalog, client):
    """The cached page carries the add-to-cart form without a token (private.js fetches one
    on first submit); the private fragment still answers the form with this visitor's."""
    tee_s = skus(catalog.tee)[0]
    page = client.get(f"/products/organic-cotton-tee/?variant={tee_s}")
    assert page["Cache-Control"].startswith("public")
    html = page.content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert "set-cookie" not in str(page.headers).lower()
    form = html[html.index('<div class="add-to-cart">'):]
    form = form[: form.index("</form>")]
    assert "data-needs-csrf" in form
    assert f'value="{tee_s}"' in form
    assert form.count("<option") == 4
    assert "disabled data-enable-with-script" in form  # no JavaScript, no token: no button
    fragment = client.get(f"/fragments/add-to-cart/organic-cotton-tee?variant={tee_s}")
    assert fragment["Cache-Control"] == "private, no-store"
    body = fragment.content.decode()
    assert "csrfmiddlewaretoken" in body
    assert f'value="{tee_s}"' in body
    assert body.count("<option") == 4  # 4 in stock -> quantities 1..4


def test_sold_out_variants_offer_no_form_and_unknown_products_are_404(catalog, client):
    sold_out = skus(catalog.tee)[1]
    body = client.get(f"/fragments/add-to-cart/organic-cotton-tee?variant={sold_out}")
    assert "Sold out" in body.content.decode()
    assert "<select" not in body.content.decode()
    assert client.get("/fragments/add-to-cart/no-such-thing").status_code == 404


def test_a_guest_adds_changes_and_removes_with_htmx(catalog, client):
    tee_l, mug = skus(catalog.tee)[2], skus(catalog.mug)[0]
    response = add(client, tee_l, 2)
    assert response.status_code == 200
    assert response["HX-Trigger"] == "cart-changed"
    assert response["Cache-Control"] == "private, no-store"
    assert "Added to your cart" in response.content.decode()
    add(client, mug, 1, product="stoneware-mug")
    count = client.get("/fragments/cart-count")
    assert count["Cache-Control"] == "private, no-store"
    assert '<span class="cart-count">3</span>' in count.content.decode()  # units, not lines

    page = client.get("/cart/")
    assert page["Cache-Control"] == "private, no-store"
    html = page.content.decode()
    assert "Organic Cotton Tee" in html
    assert "Stoneware Mug" in html
    assert "€66.50" in html
    assert "Sign in to check out" in html

    changed = client.post("/cart/update/", {"sku": tee_l, "quantity": 1}, HTTP_HX_REQUEST="true")
    assert changed["HX-Trigger"] == "cart-changed"
    assert changed.content.decode().lstrip().startswith('<div id="cart-body"')
    assert "€40.50" in changed.content.decode()
    removed = client.post("/cart/remove/", {"sku": mug}, HTTP_HX_REQUEST="true")
    assert "Stoneware Mug" not in removed.content.decode()
    assert list(CartLine.objects.values_list("sku", "quantity")) == [(tee_l, 1)]


def test_without_javascript_the_forms_post_and_redirect(catalog, client):
    tee_l = skus(catalog.tee)[2]
    response = add(client, tee_l, 1, htmx=False)
    assert response.status_code == 302
    assert response["Location"] == "/cart/"
    assert "Added to your cart." in client.get("/cart/").content.decode()
    response = client.post("/cart/update/", {"sku": tee_l, "quantity": 50})
    assert response.status_code == 302
    page = client.get("/cart/").content.decode()
    # more than there is: refused with words, the line as it was (nothing half-changed)
    assert "Sorry, only 9 of Organic Cotton Tee (L / Navy) left: your cart still has 1." in page
    assert CartLine.objects.get().quantity == 1


def test_adding_more_than_there_is_adds_nothing_and_the_list_keeps_the_stock_to_itself(
    catalog, client
):
    tee_l = skus(catalog.tee)[2]  # 9 in stock: the page says "In stock", the list 1..10
    response = client.post("/cart/add/", {"sku": tee_l, "quantity": 10,
                                          "product": catalog.tee.slug}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Sorry, only 9 of Organic Cotton Tee (L / Navy) left: nothing was added" in body
    assert "atc-ok" not in body
    assert re.findall(r'<option value="(\d+)"', body) == [str(n) for n in range(1, 11)]
    assert CartLine.objects.count() == 0
    fragment = client.get(f"/fragments/add-to-cart/{catalog.tee.slug}?variant={tee_l}")
    assert re.findall(r'<option value="(\d+)"', fragment.content.decode()) == [
        str(n) for n in range(1, 11)]


@pytest.mark.parametrize(
    "data",
    [
        {"sku": "NOPE", "quantity": 1},
        {"sku": "", "quantity": 1},
        {"sku": "@", "quantity": 0},
        {"sku": "@", "quantity": -2},
        {"sku": "@", "quantity": 100},
        {"sku": "@", "quantity": "lots"},
        {"sku": "@"},
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(catalog, client, data):
    data = {k: (skus(catalog.mug)[0] if v == "@" else v) for k, v in data.items()}
    response = client.post("/cart/add/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "atc-error" in response.content.decode()
    assert "HX-Trigger" not in response
    assert CartLine.objects.count() == 0


def test_cart_changes_need_the_csrf_token(catalog):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/cart/add/", {"sku": skus(catalog.mug)[0], "quantity": 1})
    assert response.status_code == 403
    assert CartLine.objects.count() == 0


def test_two_browsers_have_two_guest_carts(catalog):
    one, two = Client(), Client()
    add(one, skus(catalog.mug)[0])
    assert cart_skus(two) == []
    assert "cart-count" not in two.get("/fragments/cart-count").content.decode()


def test_sign_in_merges_this_browsers_guest_cart_only(catalog, alice):
    mine, someone_elses = Client(), Client()
    tee_l, mug, hoodie = skus(catalog.tee)[2], skus(catalog.mug)[0], skus(catalog.hoodie)[0]
    add(mine, tee_l, 2)
    add(someone_elses, hoodie, 1)
    # Alice already had a mug in her account's cart (from another device)
    alice_device = Client()
    alice_device.force_login(alice)
    add(alice_device, mug, 1)

    sign_in(mine)

    assert sorted(cart_skus(mine)) == sorted([tee_l, mug])
    assert Cart.objects.filter(user__isnull=True).count() == 1  # only the stranger's is left
    assert cart_skus(someone_elses) == [hoodie]
    assert GUEST_SESSION_KEY not in mine.session


def test_sign_in_on_a_browser_another_user_used_takes_no_cart_along(catalog, alice, bob):
    """Vendure 263: signing in must not take over the previous user's cart."""
    shared = Client()
    sign_in(shared, "bob@example.com")
    add(shared, skus(catalog.hoodie)[0])
    shared.post("/account/sign-out/")
    sign_in(shared, "alice@example.com")
    assert cart_skus(shared) == []
    assert CartLine.objects.get().cart.user == bob


def test_sign_out_takes_the_cart_out_of_the_browser(catalog, alice):
    client = Client()
    add(client, skus(catalog.mug)[0])
    sign_in(client)
    assert cart_skus(client) == [skus(catalog.mug)[0]]
    response = client.post("/account/sign-out/")
    assert response.status_code == 200
    assert cart_skus(client) == []
    assert "cart-count" not in client.get("/fragments/cart-count").content.decode()
    # ...and it is still there for Alice when she comes back
    sign_in(client)
    assert cart_skus(client) == [skus(catalog.mug)[0]]


def test_a_guest_who_signs_out_of_nothing_loses_the_guest_cart(catalog):
    """A stale guest cart id cannot show up in a later session (Medusa 8919)."""
    client = Client()
    add(client, skus(catalog.mug)[0])
    token = client.session[GUEST_SESSION_KEY]
    client.post("/account/sign-out/")
    assert cart_skus(client) == []
    assert GUEST_SESSION_KEY not in client.session or client.session[GUEST_SESSION_KEY] != token


def test_vanished_products_leave_the_cart_with_a_message(catalog, client):
    add(client, skus(catalog.mug)[0], product="stoneware-mug")
    catalog.mug.variants.all().delete()
    html = client.get("/cart/").content.decode()
    assert "Stoneware Mug is no longer available and was removed from your cart." in html
    assert "Your cart is empty" in html
