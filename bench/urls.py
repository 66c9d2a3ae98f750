"""The shop's URLs plus the bench-only baselines (never mounted in config/urls.py).

Their routes are not in shop/policy/cache.py, so they are private and no-store like any
undeclared route: the baselines pay the same middleware as the shop's own views.
"""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as shop_urlpatterns

from . import views

urlpatterns = [
    path("__bench/hello", views.hello, name="bench_hello"),
    path("__bench/products", views.bare_products, name="bench_bare_products"),
    *shop_urlpatterns,
]
