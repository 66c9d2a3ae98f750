from django.apps import AppConfig


class TaxesConfig(AppConfig):
    name = "shop.taxes"
    label = "taxes"
    verbose_name = "Taxes"
