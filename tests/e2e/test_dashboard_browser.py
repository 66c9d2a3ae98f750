"""The staff dashboard in a real browser (Chromium through Playwright): a manager signs in,
finds an order, marks it fulfilled and adjusts stock; an admin watches an alert appear on the
security page without reloading; two staff members side by side never see each other's
session. Screenshots of every page go to the artifacts folder."""

import secrets

import httpx
import pytest

from shop.demo.orders import demo_orders_seed
from tests.factories import PASSWORD
from tests.support.api import api_headers


@pytest.fixture(autouse=True)
def _clean(empty_cache):
    """The staff fixtures (tests/fixtures/staff.py) start from an empty cache."""
    return empty_cache

pytestmark = pytest.mark.browser

A11Y = """() => {
  const problems = [];
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!el.labels.length && !el.getAttribute("aria-label")) problems.push("unlabelled " + el.name);
  }
  if (document.querySelectorAll("h1").length !== 1) problems.push("not one h1");
  for (const el of document.querySelectorAll("[style]")) problems.push("style on " + el.tagName);
  for (const el of document.querySelectorAll("script:not([src])")) problems.push("inline script");
  if (!document.querySelector("main#main")) problems.push("no main landmark");
  return problems;
}"""


def sign_in(page, email: str, *, next_path: str = "/dashboard/"):
    page.goto(next_path)
    assert "/account/sign-in/" in page.url  # staff pages send strangers to sign in
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path}")


def check(page):
    assert page.evaluate(A11Y) == [], page.url


def test_a_manager_fulfils_an_order_and_adjusts_stock(page, page_watch, screenshot, shop):
    demo_orders_seed(count=60, seed=7)
    sign_in(page, shop.manager.email)
    page.get_by_role("heading", name="Overview").wait_for()
    assert page.get_by_text("Max Manager").is_visible()
    check(page)
    screenshot("dashboard-overview")

    # find the customer's order by her email address
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Orders").click()
    page.get_by_label("Search orders").fill(shop.customer.email)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=shop.order.number).wait_for()
    check(page)
    screenshot("dashboard-orders-search")
    page.get_by_role("link", name=shop.order.number).click()
    page.get_by_role("heading", name=shop.order.number).wait_for()
    assert page.locator(".badge--lg").inner_text() == "Paid"
    assert page.get_by_text("Visa •••• 4242").first.is_visible()
    check(page)

    page.get_by_label("Carrier").fill("DHL")
    page.get_by_label("Tracking number").fill("JD0146000033")
    page.get_by_role("button", name="Mark as shipped").click()
    page.get_by_text(f"Order {shop.order.number} marked as shipped").wait_for()
    assert page.locator(".badge--lg").inner_text() == "Fulfilled"
    assert "JD0146000033" in page.get_by_role("region", name="Tracking").inner_text()
    # a partial refund: the amount, a reason, the confirmation box
    page.get_by_text("Refund this order").click()
    page.get_by_label("Amount (EUR; empty: all of it)").fill("10.00")
    page.get_by_label("Reason (kept in the audit log, shown to the customer)").fill("scratched")
    page.get_by_label(f"Yes, refund {shop.order.number}").check()
    page.get_by_role("button", name="Refund", exact=True).click()
    page.get_by_text(f"Refund for order {shop.order.number} done").wait_for()
    timeline = page.get_by_role("region", name="Timeline").inner_text()
    assert "Shipped" in timeline
    assert "Refunded" in timeline
    assert "€10.00" in page.get_by_role("region", name="Payment").inner_text()
    check(page)
    screenshot("dashboard-order-fulfilled")

    # stock: two hoodies left; a delivery of six arrives
    page.get_by_role("navigation", name="Sections").get_by_role(
        "link", name="Products & stock").click()
    page.get_by_label("Search products").fill("Hoodie")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Heavyweight Hoodie").click()
    page.get_by_role("heading", name="Heavyweight Hoodie").wait_for()
    variant = shop.catalog.hoodie.variants.first()
    row = page.locator(f"#variant-{variant.pk}")
    assert row.get_by_test_id(f"stock-{variant.sku}").inner_text() == "2"
    row.get_by_label("Change in units").fill("+6")
    row.get_by_label("Reason").select_option(label="Delivery received")
    row.get_by_label("Note").fill("PO 4411")
    row.get_by_role("button", name="Adjust").click()
    page.get_by_text("Stock adjusted by +6: now 8.").wait_for()
    assert page.locator(f"#variant-{variant.pk}").get_by_test_id(
        f"stock-{variant.sku}").inner_text() == "8"
    history = page.get_by_role("table").nth(1)
    assert "PO 4411" in history.inner_text()
    assert shop.manager.email in history.inner_text()
    check(page)
    screenshot("dashboard-product-stock")

    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="Wilhelmina Zyskowski").click()
    page.get_by_role("heading", name="Wilhelmina Zyskowski").wait_for()
    check(page)
    screenshot("dashboard-customer")

    # a manager has no security or staff pages: not in the menu, 403 when typed
    nav = page.get_by_role("navigation", name="Sections")
    assert nav.get_by_role("link", name="Security").count() == 0
    response = page.goto("/dashboard/security/")
    assert response.status == 403
    assert "Wilhelmina" not in page.content()
    # the deliberate 403 above (and the error page's favicon request) are not faults
    page_watch.console_errors[:] = [e for e in page_watch.console_errors
                                    if "/dashboard/security/" not in e and "favicon" not in e]
    page_watch.assert_clean()


def test_an_enumeration_burst_appears_on_the_security_page(page, page_watch, screenshot,
                                                           shop, live_server):
    demo_orders_seed(count=30, seed=11)
    with httpx.Client(base_url=live_server.url) as api:  # some staff work, for the audit log
        support = {"Authorization": api_headers(shop.support)["HTTP_AUTHORIZATION"]}
        assert api.get(f"/api/v1/admin/orders/{shop.order.number}",
                       headers=support).status_code == 200
        api.get("/api/v1/admin/orders?q=wilhelmina", headers=support)
        api.get("/api/v1/admin/audit-events", headers=support)  # 403: not for support
    sign_in(page, shop.admin.email, next_path="/dashboard/security/")
    page.get_by_text("No alerts.").wait_for()
    # somebody walks the order numbers through the API while the admin has the page open
    headers = {"Authorization": api_headers(shop.other)["HTTP_AUTHORIZATION"]}
    with httpx.Client(base_url=live_server.url, headers=headers) as api:
        for _ in range(12):
            api.get(f"/api/v1/orders/{shop.order.number}")
        for _ in range(10):
            number = "BFM-" + "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
                                      for _ in range(10))
            api.get(f"/api/v1/orders/{number}")
    # no reload: htmx polls the alerts every 5 seconds
    alerts = page.locator("#alerts")
    alerts.get_by_text(f"by user {shop.other.pk} within a minute").wait_for(timeout=12_000)
    assert "object_enumeration" in alerts.inner_text()
    check(page)
    screenshot("dashboard-security", mobile=False)
    page.get_by_role("link", name="Audit log").click()
    page.get_by_role("heading", name="Security").wait_for()
    log = page.get_by_role("table").inner_text()
    assert "order.read" in log
    assert shop.order.number in log
    assert shop.support.email in log
    check(page)
    screenshot("dashboard-audit-log", mobile=False)
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Staff").click()
    page.get_by_role("heading", name="Staff accounts").wait_for()
    check(page)
    screenshot("dashboard-staff", mobile=False)
    page_watch.assert_clean()


def test_two_staff_members_side_by_side_never_see_each_others_session(browser, live_server,
                                                                       shop):
    contexts = {
        who: browser.new_context(base_url=live_server.url, viewport={"width": 1280,
                                                                    "height": 900})
        for who in ("support", "admin")
    }
    try:
        pages = {who: context.new_page() for who, context in contexts.items()}
        users = {"support": shop.support, "admin": shop.admin}
        for who, page in pages.items():
            sign_in(page, users[who].email)
        names = {"support": "Sue Support", "admin": "Ada Admin"}
        for path in ("/dashboard/", "/dashboard/orders/", "/dashboard/customers/",
                     f"/dashboard/orders/{shop.order.number}/", "/dashboard/", "/dashboard/"):
            for who in ("support", "admin", "support", "admin"):
                page = pages[who]
                page.goto(path)
                text = page.locator(".topbar").inner_text()
                other = "admin" if who == "support" else "support"
                assert names[who] in text, (who, path, text)
                assert names[other] not in text, (who, path, text)
                assert users[other].email not in page.content()
        # the admin's menu has Security and Staff; support's never does
        assert pages["admin"].get_by_role("link", name="Security").count() == 1
        assert pages["support"].get_by_role("link", name="Security").count() == 0
    finally:
        for context in contexts.values():
            context.close()
