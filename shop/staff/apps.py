from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StaffConfig(AppConfig):
    name = "shop.staff"
    label = "staff"
    verbose_name = "Staff roles"

    def ready(self) -> None:
        # roles.py imports auth's and staff's models: only once the registry is ready
        from .roles import roles_sync_after_migrate

        # The role groups are declared in roles.py. A data migration creates them; after every
        # migrate (and every test-database flush, which empties auth_group) they are brought
        # back in line with the code.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="shop.staff.roles_sync")
