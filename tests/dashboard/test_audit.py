"""docs/threats.md case 22 / issue 5: every staff read of a customer's data and every staff change
is
audited (exactly one record per read), and the audit log cannot be changed by anyone."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from shop.monitoring.models import AuditEvent, AuditLogImmutable
from shop.orders.models import OrderStatus
from tests.policy.test_route_policies import all_routes
from tests.support.api import api_headers, web_client


def test_reading_an_order_in_the_dashboard_is_one_audit_event(shop):
    client = web_client(shop.support)
    response = client.get(reverse("dashboard:order_detail", args=[shop.order.number]),
                          REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    (event,) = AuditEvent.objects.all()
    assert event.action == "order.read"
    assert (event.object_type, event.object_id) == ("order", shop.order.number)
    assert event.customer_id == shop.customer.pk
    assert (event.actor_id, event.actor_email, event.actor_role) == (
        shop.support.pk, shop.support.email, "support")
    assert event.ip == "203.0.113.7"
    assert event.via == "dashboard"
    assert event.request_id == response["X-Request-ID"]


def test_reading_an_order_through_the_staff_api_is_one_audit_event(shop, client):
    response = client.get(f"/api/v1/admin/orders/{shop.order.number}",
                          **api_headers(shop.manager))
    assert response.status_code == 200
    (event,) = AuditEvent.objects.all()
    assert (event.action, event.customer_id, event.actor_id, event.via) == (
        "order.read", shop.customer.pk, shop.manager.pk, "api")
    assert event.request_id == response["X-Request-ID"]


def test_other_reads_of_customer_data_are_audited_once_each(shop):
    client = web_client(shop.manager)
    client.get(reverse("dashboard:customer_detail", args=[shop.customer.pk]))
    client.get(reverse("dashboard:order_export") + "?status=paid")
    client.get(reverse("dashboard:order_list") + "?q=wilhelmina.z@example.com")
    client.get(reverse("dashboard:customer_list") + "?q=wilhelmina")
    # browsing without a search term is not a look for someone
    client.get(reverse("dashboard:order_list"))
    client.get(reverse("dashboard:index"))
    events = list(AuditEvent.objects.order_by("pk"))
    assert [e.action for e in events] == [
        "customer.read", "order.export", "order.search", "customer.search",
    ]
    assert events[0].customer_id == shop.customer.pk
    assert shop.customer.pk in events[1].details["customers"]
    assert events[2].details["q"] == "wilhelmina.z@example.com"
    assert events[2].details["customers"] == [shop.customer.pk]


def test_failed_reads_are_not_audited_as_reads(shop):
    client = web_client(shop.support)
    assert client.get(reverse("dashboard:order_detail", args=["BFM-ZZZZZZZZZZ"])).status_code \
        == 404
    assert not AuditEvent.objects.exists()


def test_changes_are_audited_with_before_and_after(shop):
    client = web_client(shop.manager)
    client.post(reverse("dashboard:order_fulfil", args=[shop.order.number]))
    variant = shop.catalog.mug.variants.first()
    client.post(reverse("dashboard:stock_adjust", args=[variant.pk]),
                {"delta": "-3", "reason": "damaged", "note": "dropped a box"})
    status, stock = AuditEvent.objects.order_by("pk")
    assert (status.action, status.customer_id, status.details) == (
        "order.status_change", shop.customer.pk,
        {"from": OrderStatus.PAID, "to": OrderStatus.FULFILLED, "carrier": "",
         "tracking_number": ""})
    assert stock.action == "stock.adjust"
    assert (stock.details["delta"], stock.details["stock_after"], stock.details["reason"]) == (
        -3, 27, "damaged")


# --- append-only


@pytest.fixture
def event(shop):
    web_client(shop.support).get(reverse("dashboard:order_detail", args=[shop.order.number]))
    return AuditEvent.objects.get()


def test_the_model_refuses_updates_and_deletes(event):
    event.action = "nothing.happened"
    with pytest.raises(AuditLogImmutable):
        event.save()
    with pytest.raises(AuditLogImmutable):
        event.delete()
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "order.read"


def test_the_database_refuses_updates(event):
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET action = %s WHERE id = %s",  # noqa: S608
                       ["x", event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "order.read"
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])  # noqa: S608
        assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_no_route_writes_to_the_audit_log():
    """The only audit routes of the shop are the reading ones (they answer GET and nothing
    else, below); Django's admin has its generic ModelAdmin routes, refused further down."""
    audit_routes = [
        r.view_name for r in all_routes()
        if "audit" in r.view_name and not r.view_name.startswith("admin:")
    ]
    assert sorted(audit_routes) == ["api:admin_audit_events", "dashboard:audit_log"]


def test_the_audit_routes_refuse_every_writing_method(shop, event, client):
    admin = web_client(shop.admin)
    headers = api_headers(shop.admin)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(admin, method)(reverse("dashboard:audit_log"))
        assert response.status_code == 405, method
        response = getattr(client, method)("/api/v1/admin/audit-events", **headers)
        assert response.status_code == 405, method
    assert AuditEvent.objects.get(pk=event.pk).action == "order.read"


def test_not_even_a_superuser_changes_it_in_the_django_admin(shop, event):
    from shop.accounts.models import User

    root = User.objects.create_user("root@example.com", "x" * 20, is_staff=True,
                                    is_superuser=True)
    client = web_client(root)
    change = reverse("admin:monitoring_auditevent_change", args=[event.pk])
    assert client.get(change).status_code == 200  # read-only view
    assert client.post(change, {"action": "x"}).status_code == 403
    delete = reverse("admin:monitoring_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:monitoring_auditevent_add")).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == "order.read"


def test_a_card_number_typed_into_a_search_is_not_kept(shop):
    web_client(shop.support).get(reverse("dashboard:order_list") + "?q=4242 4242 4242 4242")
    (event,) = AuditEvent.objects.filter(action="order.search")
    assert event.details["q"] == "[number removed]"
