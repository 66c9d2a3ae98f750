"""Mounts the interfaces: the storefront, the JSON API, the staff dashboard, Django's admin
(admins only) and the metrics endpoint.

Every route must have a name and a cache policy in shop/policy/cache.py.
"""

from django.contrib import admin
from django.urls import include, path

from shop.api.api import api
from shop.api.webhooks import stripe_webhook
from shop.monitoring.views import metrics_view

handler400 = "shop.core.views.bad_request"
handler403 = "shop.core.views.permission_denied"
handler404 = "shop.core.views.page_not_found"
handler500 = "shop.core.views.server_error"

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("dashboard/", include("shop.dashboard.urls")),
    # Prometheus scrape endpoint: loopback or SHOP_METRICS_TOKEN only (docs/monitoring.md)
    path("metrics", include(([path("", metrics_view, name="metrics")], "monitoring"))),
    # the payment provider's webhooks, verified by its signature (shop/api/webhooks.py)
    path("webhooks/", include(([path("stripe", stripe_webhook, name="stripe")], "webhooks"))),
    path("", include("shop.web.urls")),
]
