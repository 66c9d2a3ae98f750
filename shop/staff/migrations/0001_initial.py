from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="StaffAccess",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ],
            options={
                "managed": False,
                "default_permissions": (),
                "permissions": (
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
                ),
            },
        ),
    ]
