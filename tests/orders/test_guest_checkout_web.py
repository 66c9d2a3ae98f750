"""Storefront guest checkout, the guest order page (the token POSTed, never in a URL), and the
claim of guest orders (only through the e-mailed, signed link)."""

import re

import pytest
from django.core import mail
from django.test import Client

from shop.accounts.models import Address
from shop.orders.models import GuestOrder, Order
from tests.factories import GOOD_CARD, create_user
from tests.support.outbox import deliver_outbox

pytestmark = pytest.mark.django_db

CARD = {"card_number": GOOD_CARD, "exp_month": 12, "exp_year": 2099, "cvc": "123"}
GUEST = "gwen.guest@example.com"
UK = {"name": "Gwen Guest", "line1": "221B Baker Street", "line2": "", "city": "London",
      "postal_code": "nw1 6xe", "country": "GB", "state": "", "phone": ""}
TOKEN = re.compile(r'data-testid="order-token">([A-Za-z0-9_-]+)<')


def sku(product, index=0) -> str:
    return list(product.variants.order_by("position", "pk"))[index].sku


def location(response) -> str:
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def guest_buys(client, catalog, *, email=GUEST, address=None) -> tuple[str, str]:
    """A guest fills the cart and checks out; (order number, token from the confirmation)."""
    assert client.post("/cart/add/", {"sku": sku(catalog.mug), "quantity": 2}).status_code == 302
    assert "Check out as guest" in client.get("/cart/").content.decode()
    assert location(client.post("/checkout/guest/", {"email": email})) == "/checkout/address/"
    assert location(client.post("/checkout/address/", address or UK)) == "/checkout/delivery/"
    assert location(client.post("/checkout/delivery/", {"shipping_method": "standard"})) == (
        "/checkout/payment/")
    assert location(client.post("/checkout/payment/", CARD)) == "/checkout/review/"
    review = client.get("/checkout/review/").content.decode()
    fingerprint = re.search(r'name="cart" value="([0-9a-f]+)"', review).group(1)
    assert location(client.post("/checkout/place/", {"cart": fingerprint})) == (
        "/checkout/guest/complete/")
    page = client.get("/checkout/guest/complete/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    text = page.content.decode()
    number = re.search(r'data-testid="order-number">(BFM-[0-9A-Z]{10})<', text).group(1)
    return number, TOKEN.search(text).group(1)


def test_a_guest_checks_out_and_opens_the_order_with_the_token(catalog, client):
    number, token = guest_buys(client, catalog)
    order = Order.objects.get(number=number)
    assert order.user_id is None
    assert order.email == GUEST
    assert order.ship_postal_code == "NW1 6XE"  # normalised as the address book does
    assert "Check out as guest" not in client.get("/cart/").content.decode()  # emptied
    # the token is shown once: the confirmation does not show it again
    assert location(client.get("/checkout/guest/complete/")) == "/order/"
    lookup = Client().get("/order/")
    assert lookup.status_code == 200
    assert lookup["Cache-Control"] == "private, no-store"
    shown = Client().post("/order/", {"number": number, "token": token})
    assert shown.status_code == 200
    assert shown["Cache-Control"] == "private, no-store"
    assert "Baker Street" in shown.content.decode()


def test_a_wrong_token_is_the_same_404_as_a_missing_order(catalog, client):
    number, token = guest_buys(client, catalog)
    stranger = Client()
    answers = [
        stranger.post("/order/", {"number": number, "token": "w" * 43}),
        stranger.post("/order/", {"number": "BFM-2222222222", "token": token}),
        stranger.post("/order/", {"number": number, "token": ""}),
        stranger.post("/order/", {}),
    ]
    assert {a.status_code for a in answers} == {404}
    bodies = {re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", a.content.decode())
              for a in answers}
    assert len(bodies) == 1
    assert "Baker Street" not in bodies.pop()


def test_the_email_links_to_the_order_page_with_the_token_in_the_fragment(catalog, client):
    number, token = guest_buys(client, catalog)
    deliver_outbox()
    (message,) = [m for m in mail.outbox if number in m.subject]
    assert f"/order/#{number}.{token}" in message.body
    assert f"?t={token}" not in message.body


def test_signed_in_shoppers_check_out_as_before(catalog, alice_web):
    assert location(alice_web.get("/checkout/guest/")) == "/checkout/"


def test_anonymous_visitors_without_an_email_are_still_sent_to_sign_in(catalog, client):
    client.post("/cart/add/", {"sku": sku(catalog.mug), "quantity": 1})
    assert location(client.get("/checkout/address/")).startswith("/account/sign-in")


# --- claiming guest orders


def test_a_shopper_claims_guest_orders_only_through_the_emailed_link(catalog, client):
    number, token = guest_buys(client, catalog, email="carol@example.com")
    carol = create_user("carol@example.com", name="Carol")
    web = Client()
    web.force_login(carol)
    orders = web.get("/account/orders/").content.decode()
    assert "placed as a guest" in orders
    assert number not in orders  # not hers yet: signing in with the address is not enough
    assert web.get(f"/account/orders/{number}/").status_code == 404
    # a forged or missing link claims nothing
    assert location(web.post("/account/orders/claim/", {"t": "forged"})) == "/account/orders/"
    assert Order.objects.get(number=number).user_id is None
    mail.outbox.clear()
    assert location(web.post("/account/orders/claim/send/")) == "/account/orders/"
    (message,) = mail.outbox
    assert message.to == ["carol@example.com"]
    link = re.search(r"http://testserver(/account/orders/claim/\?t=\S+)", message.body).group(1)
    # another account cannot use Carol's link
    dave = create_user("dave@example.com", name="Dave")
    other = Client()
    other.force_login(dave)
    assert other.get(link).status_code == 400
    token_part = link.split("?t=", 1)[1]
    assert location(other.post("/account/orders/claim/", {"t": token_part})) == (
        "/account/orders/")
    assert Order.objects.get(number=number).user_id is None
    # Carol's link, confirmed by Carol: the order is hers, and the guest token is retired
    confirm = web.get(link)
    assert confirm.status_code == 200
    assert "Add to my account" in confirm.content.decode()
    assert location(web.post("/account/orders/claim/", {"t": token_part})) == (
        "/account/orders/")
    assert Order.objects.get(number=number).user_id == carol.pk
    assert GuestOrder.objects.get(order__number=number).claimed_at is not None
    assert web.get(f"/account/orders/{number}/").status_code == 200
    assert Client().post("/order/", {"number": number, "token": token}).status_code == 404


# --- the address book in checkout


def test_checkout_offers_every_saved_address_and_can_save_a_new_one(catalog, alice, alice_web):
    home = Address.objects.create(user=alice, name="Alice Liddell", line1="12 Rabbit Hole Lane",
                                  city="Oxford", postal_code="OX1 4AW", country="GB",
                                  is_default=True)
    work = Address.objects.create(user=alice, name="Alice at work", line1="3 Tea Party Row",
                                  city="Sofia", postal_code="1000", country="BG")
    alice_web.post("/cart/add/", {"sku": sku(catalog.mug), "quantity": 1})
    page = alice_web.get("/checkout/address/").content.decode()
    assert "Tea Party Row" in page
    assert "Rabbit Hole" in page
    assert location(alice_web.post("/checkout/address/", {"saved": work.pk})) == (
        "/checkout/delivery/")
    review_state = alice_web.session["bfm_checkout"]["address"]
    assert review_state["city"] == "Sofia"
    # someone else's address id: the same 404 as a missing one
    bob_home = Address.objects.create(user=create_user("bobby@example.com"), name="B",
                                      line1="1 Road", city="Lyon", postal_code="69002",
                                      country="FR")
    assert alice_web.post("/checkout/address/", {"saved": bob_home.pk}).status_code == 404
    # a new address, saved to the book
    new = {"name": "Alice in Texas", "line1": "1 Main St", "line2": "", "city": "Austin",
           "state": "tx", "postal_code": "73301", "country": "US", "phone": "+1 512 555 0100",
           "save": "on"}
    assert location(alice_web.post("/checkout/address/", new)) == "/checkout/delivery/"
    saved = Address.objects.get(user=alice, city="Austin")
    assert saved.state == "TX"
    assert saved.phone == "+1 512 555 0100"
    assert home.pk != saved.pk
