"""Privacy rights in a real browser: a shopper with an order downloads their data (after
confirming the password) and gets a JSON file of it, then deletes the account and is signed
out with a confirmation; the old password opens nothing any more."""

import json
import re

import pytest
from django.core import mail

from shop.orders.models import Order
from shop.privacy.services import ORDER_PLACEHOLDER_NAME
from tests.e2e.test_accounts_browser import assert_accessible

pytestmark = pytest.mark.browser

EMAIL = "ingrid.halvorsen@example.com"
NAME = "Ingrid Halvorsen"
PASSWORD = "fjord lantern 58"


@pytest.fixture
def shopper(db, catalog):
    from shop.accounts.models import Address
    from tests.factories import create_user, place_order
    from tests.privacy.support import SHOPPER_ORDER

    user = create_user(EMAIL, PASSWORD, name=NAME)
    Address.objects.create(user=user, name=NAME, line1="Storgata 3", city="Bergen",
                           postal_code="5003", country="NO", is_default=True)
    order = place_order(user, variant=catalog.tee.variants.first(), name=NAME,
                        line1="Storgata 3", city="Bergen", **SHOPPER_ORDER)
    return user, order


def test_a_shopper_downloads_their_data_then_deletes_the_account(
    page, page_watch, screenshot, live_server, shopper, tmp_path
):
    _user, order = shopper
    page.goto("/account/sign-in/")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/account/")

    # Download: the account menu, the privacy page, the password, then the file.
    page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name="Your data and privacy").click()
    page.get_by_role("heading", name="Your data and privacy").wait_for()
    assert_accessible(page)
    screenshot("privacy-page")
    page.get_by_role("link", name="Download my data").click()
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("The password is not correct.").wait_for()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Your file is ready").wait_for()
    assert_accessible(page)
    screenshot("privacy-export-ready")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data (JSON)").click()
    download = download_info.value
    assert re.fullmatch(r"buy-from-me-my-data-\d{4}-\d{2}-\d{2}\.json",
                        download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["profile"]["email"] == EMAIL
    assert [o["number"] for o in data["orders"]] == [order.number]
    assert data["addresses"][0]["line1"] == "Storgata 3"

    # Delete the account: the password and a tick, then signed out with a confirmation.
    page.goto("/account/privacy/")
    page.get_by_role("link", name="Delete my account").click()
    page.get_by_role("heading", name="Delete your account").wait_for()
    assert_accessible(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label(re.compile("I understand")).check()
    screenshot("privacy-delete", mobile=False)
    page.get_by_role("button", name="Delete my account").click()
    page.get_by_role("heading", name="Your account is deleted").wait_for()
    assert page.get_by_text("You are signed out everywhere").is_visible()
    screenshot("privacy-deleted")
    assert [c["name"] for c in page.context.cookies() if c["name"].endswith("session")] == []
    assert mail.outbox[-1].to == [EMAIL]

    # Signed out: the account pages ask for a sign-in, which the old password cannot pass.
    page.goto("/account/")
    page.wait_for_url(re.compile(r"/account/sign-in/\?next="))
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Email or password is incorrect.").wait_for()

    kept = Order.objects.get(number=order.number)
    assert kept.user_id is None
    assert kept.ship_name == ORDER_PLACEHOLDER_NAME
    page_watch.assert_clean()


def test_the_privacy_notice_is_public_and_linked_from_every_page(
    page, page_watch, screenshot, live_server
):
    page.goto("/")
    page.get_by_role("link", name="Privacy notice").click()
    page.get_by_role("heading", name="Privacy notice").wait_for()
    assert page.get_by_text("GET /api/v1/me/export").is_visible()
    assert_accessible(page)
    screenshot("privacy-notice", mobile=False)
    page_watch.assert_clean()
