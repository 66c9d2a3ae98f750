"""Settles every charge and refund whose answer the shop never heard, by asking the payment
provider with the key it was sent (run from cron every few minutes; shop/orders/reconcile.py),
and puts back in the queue order e-mails whose worker died while delivering them."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shop.orders.reconcile import UNANSWERED_AFTER, payments_reconcile
from shop.orders.tasks import outbox_requeue_stuck


class Command(BaseCommand):
    help = ("Settle charges still 'charging' and refunds still 'refunding': ask the payment "
            "provider by their idempotency keys and record what happened.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--minutes", type=int, default=int(UNANSWERED_AFTER.total_seconds() // 60),
            help="Only attempts older than this many minutes (0: all of them).",
        )

    def handle(self, *args: Any, minutes: int, **options: Any) -> None:
        report = payments_reconcile(older_than=dt.timedelta(minutes=minutes))
        requeued = outbox_requeue_stuck()
        self.stdout.write(f"{report}; {requeued} e-mail(s) whose worker died put back in the "
                          "queue")
