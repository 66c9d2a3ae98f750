"""The shop with a planted BOLA bug, for the fuzzer's self-test only: `access_order` ignores
who asks (Saleor issue 18878: anyone with an order number reads it), and the ownership guard,
which would turn that into a 500, is switched off. Served by granian as
`tests.fuzz.bola_wsgi:application`; nothing else imports it."""

from config.wsgi import application  # sets Django up first
from shop.core.errors import NotFound
from shop.orders.models import Order
from shop.policy import access, ownership

__all__ = ["application"]


def access_order_for_anyone(*, viewer, number, with_lines=True):
    order = Order.objects.prefetch_related("lines").filter(number=number).first()
    if order is None:
        raise NotFound(access.ORDER_NOT_FOUND)
    return order


access.access_order = access_order_for_anyone
ownership.violations = lambda request, ledger: []
