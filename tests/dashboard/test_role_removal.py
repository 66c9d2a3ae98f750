"""The seed's symptom: a test user's session showed other customers' data. Here: a session
that was staff a moment ago, and is not any more, sees no staff data at its very next request
(permissions are read per request, never cached across requests)."""

from django.urls import reverse

from shop.staff.access import Actor
from shop.staff.services import staff_role_set
from tests.support.api import api_headers, web_client


def admin_actor(shop) -> Actor:
    from shop.accounts.principal import Principal

    return Actor(principal=Principal(user=shop.admin, via="session"), role="admin",
                 ip="127.0.0.1", request_id="t", via="dashboard")


def test_a_demoted_session_sees_no_staff_data_at_once(shop):
    client = web_client(shop.manager)
    order_url = reverse("dashboard:order_detail", args=[shop.order.number])
    assert shop.customer.email in client.get(order_url).content.decode()

    staff_role_set(actor=admin_actor(shop), user_id=shop.manager.pk, role=None)

    for url in (order_url, reverse("dashboard:index"), reverse("dashboard:order_list"),
                reverse("dashboard:customer_detail", args=[shop.customer.pk])):
        response = client.get(url)  # the same session cookie
        assert response.status_code == 403, url
        body = response.content.decode()
        assert not [s for s in shop.secrets if s in body], url
    # ...and the storefront still works for them, as a shopper
    assert client.get(reverse("web:account")).status_code == 200


def test_a_demoted_token_sees_no_staff_data_at_once(shop, client):
    headers = api_headers(shop.support)  # issued while support
    url = f"/api/v1/admin/orders/{shop.order.number}"
    assert client.get(url, **headers).status_code == 200
    staff_role_set(actor=admin_actor(shop), user_id=shop.support.pk, role=None)
    response = client.get(url, **headers)
    assert response.status_code == 403
    assert shop.customer.email not in response.content.decode()


def test_a_lowered_role_loses_exactly_what_it_lost(shop):
    client = web_client(shop.manager)
    assert client.get(reverse("dashboard:product_list")).status_code == 200
    staff_role_set(actor=admin_actor(shop), user_id=shop.manager.pk, role="support")
    assert client.get(reverse("dashboard:product_list")).status_code == 403
    assert client.get(reverse("dashboard:order_list")).status_code == 200


def test_role_changes_go_through_the_dashboard_and_are_audited(shop):
    from shop.monitoring.models import AuditEvent

    admin = web_client(shop.admin)
    response = admin.post(reverse("dashboard:staff_role"),
                          {"email": shop.manager.email, "role": ""})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="staff.role_change")
    assert (event.actor_id, event.object_id) == (shop.admin.pk, str(shop.manager.pk))
    assert event.details == {"email": shop.manager.email, "from": "manager", "to": ""}
    assert web_client(shop.manager).get(reverse("dashboard:index")).status_code == 403


def test_nobody_changes_their_own_role_or_a_superuser(shop):
    from shop.accounts.models import User

    admin = web_client(shop.admin)
    admin.post(reverse("dashboard:staff_role"), {"email": shop.admin.email, "role": ""})
    root = User.objects.create_user("root@example.com", "x" * 20, is_staff=True,
                                    is_superuser=True)
    admin.post(reverse("dashboard:staff_role"), {"email": root.email, "role": "support"})
    assert web_client(shop.admin).get(reverse("dashboard:staff_list")).status_code == 200
    root.refresh_from_db()
    assert root.is_superuser
    assert root.is_staff
