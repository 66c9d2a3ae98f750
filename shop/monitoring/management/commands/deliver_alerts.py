"""Deliver alerts whose webhook is still pending (the process that raised them died before its
forwarder thread sent them) or failed. Run it from cron every minute; see docs/monitoring.md."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from shop.monitoring.alerts import alert_payload
from shop.monitoring.models import Alert, WebhookState
from shop.monitoring.webhook import deliver


class Command(BaseCommand):
    help = "Send pending alert webhooks older than a minute and retry failed ones."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--older-than", type=int, default=60, help="seconds (pending)")
        parser.add_argument("--limit", type=int, default=100)

    def handle(self, *args, older_than: int, limit: int, **options) -> None:
        if not getattr(settings, "SHOP_ALERT_WEBHOOK_URL", ""):
            self.stdout.write("SHOP_ALERT_WEBHOOK_URL is not set: nothing to deliver.")
            return
        cutoff = timezone.now() - dt.timedelta(seconds=older_than)
        due = Alert.objects.filter(
            webhook_state__in=[WebhookState.PENDING, WebhookState.FAILED], created_at__lt=cutoff
        ).order_by("created_at")[:limit]
        sent = failed = 0
        for alert in due:
            if deliver(alert_payload(alert)):
                sent += 1
            else:
                failed += 1
        self.stdout.write(f"Alerts delivered: {sent}, failed: {failed}.")
