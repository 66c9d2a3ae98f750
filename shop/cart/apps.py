from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "shop.cart"
    label = "cart"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the sign-in merge)
