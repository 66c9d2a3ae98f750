from django.apps import AppConfig


class DiscountsConfig(AppConfig):
    name = "shop.discounts"
    label = "discounts"
    verbose_name = "Discount codes"

    def ready(self) -> None:
        # both import models: only once the app registry is ready (Django's idiom)
        from shop.cart.services import guest_cart_merged

        from .services import cart_discount_follow

        guest_cart_merged.connect(cart_discount_follow,
                                  dispatch_uid="shop.discounts.code_follows_the_guest_cart")
