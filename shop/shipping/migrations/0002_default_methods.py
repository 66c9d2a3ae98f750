from decimal import Decimal

from django.db import migrations

DEFAULT_METHODS = [
    ("standard", "Standard delivery", "3–5 working days", Decimal("4.95"), 0),
    ("express", "Express delivery", "Next working day", Decimal("12.95"), 1),
    ("pickup", "Pick up in store", "Ready in 2 hours", Decimal("0.00"), 2),
]


def create_methods(apps, schema_editor):
    ShippingMethod = apps.get_model("shipping", "ShippingMethod")
    for code, name, description, price, position in DEFAULT_METHODS:
        ShippingMethod.objects.get_or_create(
            code=code,
            defaults={"name": name, "description": description, "price": price,
                      "position": position},
        )


class Migration(migrations.Migration):
    dependencies = [("shipping", "0001_initial")]
    operations = [migrations.RunPython(create_methods, migrations.RunPython.noop)]
