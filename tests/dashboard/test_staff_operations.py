"""Staff changes: fulfil, cancel (stock and money back), refund through the gateway, stock
adjustments with who and why, prices. Races between two staff members: one wins."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from shop.accounts.principal import Principal
from shop.catalog import actions as catalog_actions
from shop.catalog.models import StockAdjustment, Variant
from shop.core.errors import Conflict, InvalidInput
from shop.orders import actions
from shop.orders.models import Order, OrderStatus, Payment
from shop.staff.access import Actor
from shop.staff.errors import StaffForbidden
from tests.factories import place_order
from tests.support.api import web_client


def actor(user, role) -> Actor:
    return Actor(principal=Principal(user=user, via="session"), role=role, ip="127.0.0.1",
                 request_id="r", via="dashboard")


def test_fulfil_a_paid_order(shop):
    client = web_client(shop.manager)
    response = client.post(reverse("dashboard:order_fulfil", args=[shop.order.number]),
                           follow=True)
    assert "marked as shipped" in response.content.decode()
    assert Order.objects.get(pk=shop.order.pk).status == OrderStatus.FULFILLED
    # twice: the second says so, and changes nothing
    response = client.post(reverse("dashboard:order_fulfil", args=[shop.order.number]),
                           follow=True)
    assert "Only paid orders can be marked as shipped" in response.content.decode()


def test_cancel_a_paid_order_restocks_and_refunds(shop):
    variant = shop.catalog.tee.variants.first()
    before = Variant.objects.get(pk=variant.pk).stock
    order = actions.order_cancel(actor=actor(shop.manager, "manager"),
                                        number=shop.order.number, reason="customer called")
    assert order.status == OrderStatus.CANCELLED
    assert Variant.objects.get(pk=variant.pk).stock == before + 2
    assert Payment.objects.get(order=shop.order).status == Payment.Status.REFUNDED
    from shop.monitoring.models import AuditEvent
    from shop.orders.models import Refund

    event = AuditEvent.objects.get(action="order.cancel")
    assert event.details["refund"] == "62.00"
    assert event.details["restock"] is True
    refund = Refund.objects.get(order=shop.order)
    assert (refund.status, refund.amount, refund.reason) == ("refunded", Decimal("62.00"),
                                                             "customer called")
    assert refund.reference.startswith("tre_")
    assert order.amount_refunded == Decimal("62.00")


def test_support_cannot_change_orders_even_by_calling_the_service(shop):
    with pytest.raises(StaffForbidden):
        actions.order_fulfil(actor=actor(shop.support, "support"),
                                    number=shop.order.number)
    with pytest.raises(StaffForbidden):
        actions.variant_stock_adjust(actor=actor(shop.support, "support"),
                                      variant_id=shop.catalog.mug.variants.first().pk,
                                      delta=1, reason="received")
    assert Order.objects.get(pk=shop.order.pk).status == OrderStatus.PAID


def test_refund_a_fulfilled_order_with_restock(shop):
    order = place_order(shop.customer, variant=shop.catalog.mug.variants.first(),
                        status=OrderStatus.FULFILLED)
    stock = Variant.objects.get(pk=shop.catalog.mug.variants.first().pk).stock
    actions.order_refund(actor=actor(shop.manager, "manager"), number=order.number,
                                restock=True)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.REFUNDED
    assert Variant.objects.get(pk=shop.catalog.mug.variants.first().pk).stock == stock + 2
    with pytest.raises(Conflict):
        actions.order_refund(actor=actor(shop.manager, "manager"), number=order.number)


def test_a_paid_order_can_be_refunded_in_part_but_never_beyond_what_was_paid(shop):
    manager = actor(shop.manager, "manager")
    order = actions.order_refund(actor=manager, number=shop.order.number, amount="12.50",
                                 reason="late")
    assert (order.status, order.amount_refunded) == (OrderStatus.PAID, Decimal("12.50"))
    with pytest.raises(actions.RefundTooLarge):
        actions.order_refund(actor=manager, number=shop.order.number, amount="49.51")
    with pytest.raises(InvalidInput):
        actions.order_refund(actor=manager, number=shop.order.number, amount="0")
    order = actions.order_refund(actor=manager, number=shop.order.number)  # what is left
    assert (order.status, order.amount_refunded) == (OrderStatus.REFUNDED, Decimal("62.00"))
    assert [e.kind for e in order.events.all()][-2:] == ["refunded", "refunded"]


def test_the_second_of_two_racing_staff_members_gets_a_conflict(shop):
    from shop.orders.state import order_move

    first = actor(shop.manager, "manager")
    stale = Order.objects.get(pk=shop.order.pk)
    actions.order_fulfil(actor=first, number=shop.order.number)
    with transaction.atomic():
        assert not order_move(order=stale, expected=[OrderStatus.PAID], to=OrderStatus.CANCELLED)
    with pytest.raises(actions.StatusChanged):
        actions.order_cancel(actor=actor(shop.admin, "admin"), number=shop.order.number)


def test_stock_adjustments_keep_who_and_why_and_never_go_below_zero(shop):
    variant = shop.catalog.hoodie.variants.first()  # 2 in stock
    who = actor(shop.manager, "manager")
    adjustment = actions.variant_stock_adjust(actor=who, variant_id=variant.pk, delta=10,
                                               reason="received", note="  PO 1234 ")
    assert (adjustment.stock_after, adjustment.actor_id, adjustment.note) == (
        12, shop.manager.pk, "PO 1234")
    with pytest.raises(Conflict):
        actions.variant_stock_adjust(actor=who, variant_id=variant.pk, delta=-13,
                                      reason="count")
    with pytest.raises(InvalidInput):
        actions.variant_stock_adjust(actor=who, variant_id=variant.pk, delta=-1,
                                      reason="other")  # "other" needs a note
    with pytest.raises(InvalidInput):
        actions.variant_stock_adjust(actor=who, variant_id=variant.pk, delta=0,
                                      reason="count")
    assert Variant.objects.get(pk=variant.pk).stock == 12
    assert StockAdjustment.objects.filter(variant=variant).count() == 1


def test_the_product_page_shows_the_adjustment_history(shop):
    variant = shop.catalog.hoodie.variants.first()
    client = web_client(shop.manager)
    client.post(reverse("dashboard:stock_adjust", args=[variant.pk]),
                {"delta": "+4", "reason": "received", "note": "delivery 77"})
    page = client.get(reverse("dashboard:product_detail", args=[shop.catalog.hoodie.pk]))
    body = page.content.decode()
    assert "delivery 77" in body
    assert shop.manager.email in body
    assert "+4" in body


def test_price_changes_update_the_product_list_price(shop):
    variant = shop.catalog.mug.variants.first()
    catalog_actions.variant_price_change(actor=actor(shop.manager, "manager"),
                                         variant_id=variant.pk, price=Decimal("12.00"))
    shop.catalog.mug.refresh_from_db()
    assert shop.catalog.mug.price == Decimal("12.00")
    with pytest.raises(InvalidInput):
        catalog_actions.variant_price_change(actor=actor(shop.manager, "manager"),
                                      variant_id=variant.pk, price=Decimal("1.005"))


def test_the_order_export_neutralises_spreadsheet_formulas(shop):
    place_order(shop.customer, name="=HYPERLINK(\"http://evil\")")
    body = web_client(shop.manager).get(reverse("dashboard:order_export")).content.decode()
    assert "'=HYPERLINK" in body
    assert "4242" in body
    assert "4242424242424242" not in body
