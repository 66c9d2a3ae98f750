"""The one permission map (shop/staff/permissions.py) and the roles (shop/staff/roles.py):
every staff route is guarded by it, every entry names a real route, unlisted staff routes are
admin-only, and each role holds exactly what it should."""

import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import URLPattern, get_resolver

from shop.accounts.principal import Principal
from shop.dashboard.guard import guard, staff_urls
from shop.staff import permissions
from shop.staff.admin_site import ShopAdminSite
from shop.staff.permissions import ADMIN_ONLY, PERMISSIONS, permission_for
from shop.staff.roles import ROLES, Perm, principal_has, role_of
from tests.factories import create_user, staff_user
from tests.policy.test_route_policies import all_routes

SUPPORT = {Perm.VIEW_DASHBOARD, Perm.VIEW_ORDERS, Perm.VIEW_CUSTOMERS}
MANAGER = SUPPORT | {
    Perm.CHANGE_ORDER_STATUS, Perm.REFUND_ORDER, Perm.EXPORT_ORDERS, Perm.MANAGE_CATALOG,
    Perm.ADJUST_STOCK,
}
ADMIN = MANAGER | {Perm.VIEW_SECURITY, Perm.MANAGE_STAFF, Perm.ADMIN}
EVERY = {value for name, value in vars(Perm).items() if name.isupper()}


def staff_routes():
    return [r for r in all_routes() if permissions.is_staff_route(r.view_name)]


def dashboard_patterns():
    resolver = next(
        p for p in get_resolver("config.urls").url_patterns
        if getattr(p, "namespace", None) == "dashboard"
    )
    return [p for p in resolver.url_patterns if isinstance(p, URLPattern)]


def test_every_dashboard_route_is_guarded_with_its_mapped_permission():
    patterns = dashboard_patterns()
    assert len(patterns) >= 19
    for pattern in patterns:
        name = f"dashboard:{pattern.name}"
        assert getattr(pattern.callback, "staff_permission", None) == permission_for(name), name


def test_every_staff_route_is_listed_and_every_entry_exists():
    names = {r.view_name for r in staff_routes()}
    assert {"api:admin_order_list", "api:admin_order_detail", "api:admin_audit_events",
            "api:admin_security_events", "dashboard:index"} <= names
    assert set(PERMISSIONS) == names, (set(PERMISSIONS) ^ names)


def test_the_staff_api_uses_the_map_through_its_authentication():
    from shop.api.admin import StaffBearer
    from shop.api.api import api

    operations = [
        operation
        for bound in api._get_bound_routers()
        for view in bound.path_operations.values()
        for operation in view.operations
        if (operation.url_name or "").startswith("admin_")
    ]
    # 4 reads (admin.py), 3 order actions (admin_orders.py), 2 alerts, 3 product routes
    # (admin_catalog.py)
    assert len(operations) == 12
    for operation in operations:
        assert any(isinstance(a, StaffBearer) for a in operation.auth_callbacks), operation


def test_an_unlisted_staff_route_is_admin_only(roles, rf):
    assert permission_for("dashboard:something_new") == ADMIN_ONLY
    assert permission_for("api:admin_new_thing") == ADMIN_ONLY

    def view(request):
        from django.http import HttpResponse

        return HttpResponse("staff data")

    from django.urls import path

    (pattern,) = staff_urls([path("new/", view, name="something_new")], namespace="dashboard")
    manager = staff_user("m@example.com", "manager")
    admin = staff_user("a@example.com", "admin")
    for user, status in ((manager, 403), (admin, 200)):
        request = rf.get("/dashboard/new/")
        request.principal = Principal(user=user, via="session")
        request.session = {}
        assert pattern.callback(request).status_code == status


@pytest.mark.parametrize(
    ("role", "expected"), [("support", SUPPORT), ("manager", MANAGER), ("admin", ADMIN)]
)
def test_each_role_holds_exactly_its_permissions(roles, role, expected):
    user = staff_user(f"{role}@example.com", role)
    principal = Principal(user=user, via="session")
    assert {p for p in EVERY if principal_has(principal, p)} == expected
    assert role_of(user) == role
    group = Group.objects.get(name=ROLES[role][0])
    assert {f"staff.{p.codename}" for p in group.permissions.all()} == expected


def test_no_permission_without_staff_flag_or_when_disabled(roles):
    customer = create_user("c@example.com")
    customer.groups.add(Group.objects.get(name="Manager"))  # a group alone is not enough
    disabled = staff_user("d@example.com", "admin", is_active=False)
    for user in (customer, disabled):
        principal = Principal(user=user, via="session")
        assert not any(principal_has(principal, p) for p in EVERY)
        assert role_of(user) is None
    assert not principal_has(Principal(user=None), Perm.VIEW_DASHBOARD)


def test_a_superuser_is_an_admin(db):
    root = create_user("root@example.com", is_staff=True, is_superuser=True)
    assert role_of(root) == "admin"
    assert principal_has(Principal(user=root, via="session"), Perm.ADMIN)


def test_django_admin_is_for_superusers_only(roles, rf):
    site = ShopAdminSite()
    for user, allowed in (
        (staff_user("s@example.com", "support"), False),
        (staff_user("m@example.com", "manager"), False),
        (staff_user("a@example.com", "admin"), False),  # admins work in the dashboard
        (create_user("root@example.com", is_staff=True, is_superuser=True), True),
    ):
        request = rf.get("/admin/")
        request.user = user
        assert site.has_permission(request) is allowed, user.email


def test_guard_reads_the_principal_not_the_session_user(roles, rf):
    """request.user says admin, the principal says anonymous: the principal wins."""
    admin = staff_user("a@example.com", "admin")

    def view(request):
        raise AssertionError("must not run")

    guarded = guard(view, route="dashboard:index")
    request = rf.get("/dashboard/")
    request.user = admin
    request.principal = Principal(user=None)
    assert guarded(request).status_code == 302


@pytest.fixture
def rf():
    return RequestFactory()


def test_the_permissions_model_has_a_table_for_generic_lookups(db):
    """The admin's "view on site" redirect looks any content type's row up: for the staff
    permissions' model it must find an empty table (404), not a missing one (500)."""
    from django.contrib.contenttypes.models import ContentType
    from django.test import Client

    from shop.staff.models import StaffAccess

    root = create_user("root@example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    content_type = ContentType.objects.get_for_model(StaffAccess)
    assert client.get(f"/admin/r/{content_type.pk}/1/").status_code == 404
    assert not StaffAccess.objects.exists()
