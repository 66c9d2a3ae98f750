from django.apps import AppConfig


class DiscountsConfig(AppConfig):
    name = "shop.discounts"
    label = "discounts"
    verbose_name = "Discount codes"
