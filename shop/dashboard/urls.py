"""The staff dashboard at /dashboard/. Every route: permission from shop/staff/permissions.py
(PERMISSIONS, applied by guard.staff_urls), cache policy private, no-store
(shop/policy/cache.py)."""

from django.urls import path

from .guard import staff_urls
from .views import catalog, catalog_edit, customers, orders, overview, security, staff

app_name = "dashboard"

urlpatterns = staff_urls(
    [
        path("", overview.index, name="index"),
        path("orders/", orders.order_list, name="order_list"),
        path("orders/export.csv", orders.order_export, name="order_export"),
        path("orders/<str:number>/", orders.order_detail, name="order_detail"),
        path("orders/<str:number>/fulfil", orders.order_fulfil, name="order_fulfil"),
        path("orders/<str:number>/cancel", orders.order_cancel, name="order_cancel"),
        path("orders/<str:number>/refund", orders.order_refund, name="order_refund"),
        path("customers/", customers.customer_list, name="customer_list"),
        path("customers/<int:user_id>/", customers.customer_detail, name="customer_detail"),
        path("products/", catalog.product_list, name="product_list"),
        path("products/new/", catalog_edit.product_create, name="product_create"),
        path("products/<int:product_id>/", catalog.product_detail, name="product_detail"),
        path("products/<int:product_id>/edit/", catalog_edit.product_edit, name="product_edit"),
        path("products/<int:product_id>/images", catalog_edit.product_image,
             name="product_image"),
        path("variants/<int:variant_id>/price", catalog.variant_price, name="variant_price"),
        path("variants/<int:variant_id>/stock", catalog.stock_adjust, name="stock_adjust"),
        path("variants/<int:variant_id>/stock-set", catalog_edit.stock_set, name="stock_set"),
        path("security/", security.overview, name="security"),
        path("security/alerts", security.alerts_fragment, name="security_alerts"),
        path("security/events/", security.events, name="security_events"),
        path("security/audit/", security.audit_log, name="audit_log"),
        path("security/alerts/<int:alert_id>/ack", security.alert_ack, name="alert_ack"),
        path("staff/", staff.staff_list, name="staff_list"),
        path("staff/role", staff.staff_role, name="staff_role"),
    ],
    namespace=app_name,
)
