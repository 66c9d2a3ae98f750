from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "shop.core"
    label = "core"

    def ready(self) -> None:
        from . import security_headers  # noqa: F401 - its deploy checks
        from .text import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="shop_fold")
