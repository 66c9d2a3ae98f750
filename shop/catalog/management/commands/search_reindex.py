"""Rebuild the products' search vectors (docs/search.md). The database keeps them by itself
(triggers, migration catalog/0006); this is for after a change of the search set-up."""

from django.core.management.base import BaseCommand

from shop.catalog.search import is_postgres, reindex


class Command(BaseCommand):
    help = "Rebuild every product's search vector (PostgreSQL; SQLite has none to rebuild)."

    def handle(self, *args, **options) -> None:
        if not is_postgres():
            self.stdout.write("SQLite: search reads the names directly; nothing to rebuild.")
            return
        count = reindex()
        self.stdout.write(f"Rebuilt the search vector of {count} products.")
