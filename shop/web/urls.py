from django.urls import path

from .views import catalog, fragments, health

app_name = "web"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("c/<slug:slug>/", catalog.category, name="category"),
    path("products/", catalog.product_list, name="product_list"),
    path("products/<slug:slug>/", catalog.product_detail, name="product_detail"),
    path("fragments/header", fragments.header, name="header_fragment"),
    path("healthz", health.healthz, name="healthz"),
]
