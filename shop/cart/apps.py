from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "shop.cart"
    label = "cart"

    def ready(self) -> None:
        # receivers import models: only once the app registry is ready (Django's idiom)
        from . import receivers  # noqa: F401  (connects the sign-in merge)
