"""Django's own admin, for admins only (superusers).

Support and manager staff work in /dashboard/, where every route has its permission and every
read of customer data is audited; the admin knows nothing of either, so it is closed to them.
INSTALLED_APPS names ShopAdminConfig instead of "django.contrib.admin".
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class ShopAdminSite(AdminSite):
    site_header = "Buy_From_Me administration"
    site_title = "Buy_From_Me admin"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user.is_superuser)


class ShopAdminConfig(AdminConfig):
    default_site = "shop.staff.admin_site.ShopAdminSite"
