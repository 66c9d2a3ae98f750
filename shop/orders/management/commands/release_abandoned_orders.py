"""Settles checkouts left in pending payment: asks the provider, then paid or cancelled with
the stock back (run from cron; shop/orders/reconcile.py)."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shop.orders.reconcile import ABANDONED_AFTER, payments_reconcile


class Command(BaseCommand):
    help = ("Settle orders left in pending_payment: ask the payment provider what happened; "
            "paid ones become paid, the others are cancelled and their stock returned.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--minutes", type=int, default=int(ABANDONED_AFTER.total_seconds() // 60),
            help="Only orders older than this many minutes.",
        )

    def handle(self, *args: Any, minutes: int, **options: Any) -> None:
        report = payments_reconcile(older_than=dt.timedelta(minutes=minutes), refunds=False)
        self.stdout.write(f"released {len(report.cancelled)} abandoned order(s); {report}")
