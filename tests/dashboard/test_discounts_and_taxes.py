"""Issue 14 in the dashboard: managers create, edit and switch off discount codes; admins set
tax rates; support may do neither; every change is in the audit log, with who and what."""

from decimal import Decimal

import pytest
from django.urls import reverse

from shop.discounts.models import DiscountCode
from shop.monitoring.models import AuditEvent
from shop.taxes.models import TaxRate
from shop.taxes.services import tax_rates_seed
from tests.support.api import web_client

NEW_CODE = {"code": "summer-15", "description": "Summer", "kind": "percent", "value": "15",
            "minimum_subtotal": "30.00", "starts_at": "", "ends_at": "2099-08-31T23:59",
            "max_uses": "100", "max_uses_per_customer": "1", "is_active": "on"}


def test_a_manager_creates_edits_and_switches_off_a_code(shop):
    client = web_client(shop.manager)
    assert client.get(reverse("dashboard:discount_list")).status_code == 200
    response = client.post(reverse("dashboard:discount_create"), NEW_CODE, follow=True)
    assert "Code SUMMER-15 created." in response.content.decode()
    code = DiscountCode.objects.get(code="SUMMER-15")
    assert (code.kind, code.value, code.max_uses, code.minimum_subtotal) == (
        "percent", Decimal("15.00"), 100, Decimal("30.00"))
    created = AuditEvent.objects.get(action="discount.create")
    assert (created.actor_id, created.details["code"]) == (shop.manager.pk, "SUMMER-15")

    edit = reverse("dashboard:discount_edit", args=[code.pk])
    page = client.get(edit).content.decode()
    assert 'value="SUMMER-15"' in page
    client.post(edit, {**NEW_CODE, "value": "20"})
    code.refresh_from_db()
    assert code.value == Decimal("20.00")
    changed = AuditEvent.objects.get(action="discount.change")
    assert changed.details == {"code": "SUMMER-15", "value": "20"}

    client.post(reverse("dashboard:discount_deactivate", args=[code.pk]))
    code.refresh_from_db()
    assert code.is_active is False
    assert AuditEvent.objects.filter(action="discount.deactivate").count() == 1


@pytest.mark.parametrize(("change", "words"), [
    ({"value": "150"}, "A percentage can be at most 100."),
    ({"value": "0"}, "Ensure this value is greater than or equal to 0.01."),
    ({"code": "no spaces"}, "This discount code is not valid."),
    ({"starts_at": "2099-09-01T00:00"}, "The code must end after it starts."),
])
def test_bad_codes_are_refused_with_words_and_nothing_written(shop, change, words):
    response = web_client(shop.manager).post(reverse("dashboard:discount_create"),
                                             {**NEW_CODE, **change})
    assert response.status_code == 422
    assert words in response.content.decode()
    assert not DiscountCode.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="discount.").exists()


def test_support_cannot_touch_codes_nor_rates_and_managers_cannot_touch_rates(shop):
    tax_rates_seed()
    gb = TaxRate.objects.get(country="GB", region="")
    support, manager = web_client(shop.support), web_client(shop.manager)
    for url in (reverse("dashboard:discount_list"), reverse("dashboard:discount_create")):
        assert support.get(url).status_code == 403
    assert support.post(reverse("dashboard:discount_create"), NEW_CODE).status_code == 403
    assert not DiscountCode.objects.exists()
    for client in (support, manager):
        assert client.get(reverse("dashboard:tax_rates")).status_code == 403
        assert client.post(reverse("dashboard:tax_rate_edit", args=[gb.pk]),
                           {"percent": "0"}).status_code == 403
    gb.refresh_from_db()
    assert gb.rate == Decimal("0.20000")


def test_an_admin_sets_a_rate_and_it_is_audited(shop):
    tax_rates_seed()
    on = TaxRate.objects.get(country="CA", region="ON")
    client = web_client(shop.admin)
    page = client.get(reverse("dashboard:tax_rates")).content.decode()
    assert "Tax rates" in page
    assert 'value="13"' in page
    response = client.post(reverse("dashboard:tax_rate_edit", args=[on.pk]),
                           {"percent": "14,5"}, follow=True)
    assert "Rate for CA-ON saved: 14.5 %." in response.content.decode()
    on.refresh_from_db()
    assert on.rate == Decimal("0.14500")
    event = AuditEvent.objects.get(action="tax_rate.change")
    assert event.details == {"country": "CA", "region": "ON", "from": "0.13000",
                             "to": "0.14500"}
    for bad in ("51", "-1", "abc", "1.2345"):
        client.post(reverse("dashboard:tax_rate_edit", args=[on.pk]), {"percent": bad})
    on.refresh_from_db()
    assert on.rate == Decimal("0.14500")
    assert AuditEvent.objects.filter(action="tax_rate.change").count() == 1


def test_the_orders_csv_and_the_order_page_carry_discount_and_tax(shop, alice_api, catalog):
    import csv
    import io

    from shop.discounts.demo import demo_codes_seed
    from tests.factories import checkout_body

    tax_rates_seed()
    demo_codes_seed()
    sku = catalog.mug.variants.get().sku
    alice_api.post("/api/v1/cart/items", {"sku": sku, "quantity": 2},
                   content_type="application/json")
    alice_api.post("/api/v1/cart/discount", {"code": "WELCOME10"},
                   content_type="application/json")
    order = alice_api.post("/api/v1/checkout", checkout_body(),
                           content_type="application/json").json()
    client = web_client(shop.manager)
    rows = list(csv.DictReader(io.StringIO(
        client.get(reverse("dashboard:order_export")).content.decode())))
    row = next(r for r in rows if r["number"] == order["number"])
    assert (row["discount_code"], row["discount"], row["tax"], row["tax_included"],
            row["total"]) == ("WELCOME10", order["discount"], order["tax"], "yes",
                              order["total"])
    page = client.get(reverse("dashboard:order_detail", args=[order["number"]]))
    assert "WELCOME10" in page.content.decode()
    assert "Including VAT" in page.content.decode()
