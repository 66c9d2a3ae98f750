from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "shop.privacy"
    label = "privacy"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (registers signed-in sessions)
