from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "shop.privacy"
    label = "privacy"

    def ready(self) -> None:
        # receivers import models: only once the app registry is ready (Django's idiom)
        from . import receivers  # noqa: F401  (registers signed-in sessions)
