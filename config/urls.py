"""Mounts the three interfaces: the storefront, the JSON API and Django's admin.

Every route must have a name and a cache policy in shop/policy/cache.py.
"""

from django.contrib import admin
from django.urls import include, path

from shop.api.api import api

handler400 = "shop.core.views.bad_request"
handler403 = "shop.core.views.permission_denied"
handler404 = "shop.core.views.page_not_found"
handler500 = "shop.core.views.server_error"

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("shop.web.urls")),
]
