from django.apps import AppConfig
from django.db.backends.signals import connection_created

from .text import register_sqlite_functions  # (defines no model: safe before the registry)


class CoreConfig(AppConfig):
    name = "shop.core"
    label = "core"

    def ready(self) -> None:
        # registers its deploy checks: Django's idiom is to do so once the apps are ready
        from . import security_headers  # noqa: F401

        connection_created.connect(register_sqlite_functions, dispatch_uid="shop_fold")
