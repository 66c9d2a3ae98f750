"""Issue 14 in the dashboard, in a real browser: a manager creates a discount code and
switches it off; an admin changes a tax rate. Labels, one h1, no inline style or script
(the dashboard's checks); screenshots at 1280 and 390 px."""

import pytest

from shop.discounts.demo import demo_codes_seed
from shop.discounts.models import DiscountCode
from shop.taxes.models import TaxRate
from shop.taxes.services import tax_rates_seed
from tests.e2e.test_dashboard_browser import check, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _clean(empty_cache):
    return empty_cache


def test_a_manager_creates_and_switches_off_a_code(page, page_watch, screenshot, shop):
    demo_codes_seed()
    sign_in(page, shop.manager.email, next_path="/dashboard/discounts/")
    page.get_by_role("heading", name="Discount codes").wait_for()
    assert page.get_by_role("link", name="Tax rates").count() == 0  # admins only
    check(page)
    screenshot("dashboard-discounts-list")
    page.get_by_role("link", name="New code").click()
    page.get_by_label("Code").fill("autumn20")
    page.get_by_label("Kind").select_option("percent")
    page.get_by_label("Value").fill("20")
    page.get_by_label("Max uses", exact=True).fill("50")
    check(page)
    screenshot("dashboard-discounts-form")
    page.get_by_role("button", name="Create code").click()
    page.get_by_text("Code AUTUMN20 created.").wait_for()
    page.get_by_role("button", name="Switch off AUTUMN20").click()
    page.get_by_text("Code AUTUMN20 switched off").wait_for()
    assert DiscountCode.objects.get(code="AUTUMN20").is_active is False
    page_watch.assert_clean()


def test_an_admin_changes_a_tax_rate(page, page_watch, screenshot, shop):
    tax_rates_seed()
    sign_in(page, shop.admin.email, next_path="/dashboard/taxes/")
    page.get_by_role("heading", name="Tax rates").wait_for()
    check(page)
    screenshot("dashboard-tax-rates")
    field = page.get_by_label("Rate for GB in percent")
    field.fill("21")
    field.press("Enter")
    page.get_by_text("Rate for GB saved: 21 %.").wait_for()
    assert str(TaxRate.objects.get(country="GB", region="").rate) == "0.21000"
    page_watch.assert_clean()
