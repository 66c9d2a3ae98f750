"""The staff permissions. They hang on a model of their own (Django permissions need a content
type); roles.py groups them into the support, manager and admin roles."""

from django.db import models

STAFF_PERMISSIONS = (
    ("view_dashboard", "See the staff dashboard overview (sales, recent orders, stock)"),
    ("view_orders", "Read every customer's orders"),
    ("view_customers", "Read customer accounts"),
    ("change_order_status", "Fulfil and cancel orders"),
    ("refund_order", "Refund orders through the payment gateway"),
    ("export_orders", "Export orders as CSV"),
    ("manage_catalog", "Edit products and prices"),
    ("adjust_stock", "Adjust stock levels"),
    ("view_security", "Read security events, alerts and the audit log"),
    ("manage_staff", "Grant and remove staff roles"),
    ("admin", "Everything staff can do, and any staff route not listed elsewhere"),
)


class StaffAccess(models.Model):
    """Only the carrier of the staff permissions (app label "staff"). Its table stays empty;
    it exists so that generic code that looks a content type's rows up (the admin's "view on
    site" redirect, contenttypes) finds a table and nothing in it."""

    class Meta:
        default_permissions = ()
        permissions = STAFF_PERMISSIONS

    def __str__(self) -> str:
        return "staff permissions"
