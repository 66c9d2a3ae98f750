"""Delete refresh tokens past their expiry (used, revoked or not): they can no longer be
traded, and a replay of one is refused as unknown. Run daily (cron or a timer)."""

from django.core.management.base import BaseCommand

from shop.accounts.tokens import refresh_tokens_purge_expired


class Command(BaseCommand):
    help = "Delete expired API refresh tokens."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        deleted = refresh_tokens_purge_expired()
        self.stdout.write(f"Deleted {deleted} expired refresh token(s).")
