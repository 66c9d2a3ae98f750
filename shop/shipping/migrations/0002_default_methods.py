from django.db import migrations

from shop.shipping.defaults import DEFAULT_METHODS


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
