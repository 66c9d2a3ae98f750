"""Deletes guest carts left behind by sessions that ended (run from cron)."""

import datetime as dt

from django.core.management.base import BaseCommand

from shop.cart.services import GUEST_CART_LIFETIME, carts_prune_abandoned


class Command(BaseCommand):
    help = "Delete guest carts untouched for a while (users' carts are kept)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=GUEST_CART_LIFETIME.days)

    def handle(self, *args, days: int, **options):
        deleted = carts_prune_abandoned(older_than=dt.timedelta(days=days))
        self.stdout.write(f"deleted {deleted} guest cart(s) and their lines")
