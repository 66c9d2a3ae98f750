from django.db import migrations

from shop.taxes.defaults import standard_rates


def create_rates(apps, schema_editor):
    TaxRate = apps.get_model("taxes", "TaxRate")
    for country, region, rate, kind, name in standard_rates():
        TaxRate.objects.get_or_create(country=country, region=region,
                                      defaults={"rate": rate, "kind": kind, "name": name})


class Migration(migrations.Migration):
    dependencies = [("taxes", "0001_initial")]
    operations = [migrations.RunPython(create_rates, migrations.RunPython.noop)]
