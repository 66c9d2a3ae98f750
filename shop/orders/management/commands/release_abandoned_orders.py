"""Cancels orders stuck in pending payment and gives their stock back (run from cron)."""

import datetime as dt

from django.core.management.base import BaseCommand

from shop.orders.services import ABANDONED_AFTER, orders_release_abandoned


class Command(BaseCommand):
    help = "Cancel orders left in pending_payment and return their stock."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--minutes", type=int, default=int(ABANDONED_AFTER.total_seconds() // 60),
            help="Only orders older than this many minutes.",
        )

    def handle(self, *args, minutes: int, **options):  # type: ignore[no-untyped-def]
        released = orders_release_abandoned(older_than=dt.timedelta(minutes=minutes))
        self.stdout.write(f"released {released} abandoned order(s)")
