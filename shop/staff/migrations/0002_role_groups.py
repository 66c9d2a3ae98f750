"""Creates the support, manager and admin groups with their permissions (shop/staff/roles.py).

The definitions are copied here as they were when this migration was written; roles.py stays
the reference, and post_migrate brings the groups in line with it after every migrate."""

from django.db import migrations

SUPPORT = ("view_dashboard", "view_orders", "view_customers")
MANAGER = (
    *SUPPORT, "change_order_status", "refund_order", "export_orders", "manage_catalog",
    "adjust_stock",
)
ADMIN = (*MANAGER, "view_security", "manage_staff", "admin")
GROUPS = {"Support": SUPPORT, "Manager": MANAGER, "Admin": ADMIN}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after the whole migrate (post_migrate); the groups need
    # them now.
    config = apps.get_app_config("staff")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    available = {
        p.codename: p for p in Permission.objects.filter(content_type__app_label="staff")
    }
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set([available[c] for c in codenames if c in available])


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
