"""Demo customers and orders for the staff dashboard (once: skipped when orders exist)."""

from django.core.management.base import BaseCommand

from shop.demo.orders import demo_orders_seed
from shop.orders.models import Order


class Command(BaseCommand):
    help = "Create demo customers and orders of the last 30 days (once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--orders", type=int, default=90)

    def handle(self, *args, orders: int, **options) -> None:
        if Order.objects.exists():
            self.stdout.write("Orders: some exist already, skipping the demo orders.")
            return
        result = demo_orders_seed(count=orders)
        self.stdout.write(
            f"Orders: created {result.orders} demo orders for {result.customers} customers."
        )
