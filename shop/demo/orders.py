"""Demo orders, so that a fresh `make run` shows a dashboard with something in it: a few
customers and their orders over the last 30 days, in every status. Deterministic (seeded).
Orders are written as checkout leaves them (prices copied, a captured test-gateway payment,
card as brand and last four digits); stock is not touched."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from shop.accounts.models import Address, User
from shop.catalog.models import Variant
from shop.orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    TestGatewayCharge,
)
from shop.orders.numbers import order_number_new

CUSTOMERS = (
    ("Amelia Hartley", "London", "GB", "SE1 7PB"), ("Jonas Berger", "Munich", "DE", "80331"),
    ("Chloé Martin", "Lyon", "FR", "69002"), ("Luca Bianchi", "Milan", "IT", "20121"),
    ("Sofia Almeida", "Porto", "PT", "4050-001"), ("Noah de Vries", "Utrecht", "NL", "3511 AA"),
    ("Freya Lindqvist", "Uppsala", "SE", "753 10"), ("Mateo García", "Valencia", "ES", "46001"),
    ("Aoife Byrne", "Galway", "IE", "H91 F5E2"), ("Oskar Nowak", "Kraków", "PL", "31-000"),
    ("Emma Dubois", "Brussels", "BE", "1000"), ("Liam Walsh", "Boston", "US", "02108"),
)
DEMO_STATES = {"US": "MA"}  # the one US customer lives in Boston (states: shop/core/addresses.py)
STREETS = ("Mill Lane", "Station Road", "Church Street", "Park Avenue", "High Street",
           "Orchard Way", "River Walk", "Market Square")


@dataclass(frozen=True)
class DemoResult:
    customers: int
    orders: int


def _status(rng: random.Random, age_days: float) -> str:
    roll = rng.random()
    if age_days < 2:
        return OrderStatus.PAID if roll < 0.85 else OrderStatus.PENDING_PAYMENT
    if roll < 0.08:
        return OrderStatus.CANCELLED
    if roll < 0.13:
        return OrderStatus.REFUNDED
    return OrderStatus.FULFILLED if age_days > 3 or roll < 0.5 else OrderStatus.PAID


Customer = tuple[User, str, str, str]  # user, city, country, postal code


def _demo_customers(rng: random.Random, shopper_email: str) -> list[Customer]:
    unusable = make_password(None)
    customers = []
    for name, city, country, postal in CUSTOMERS:
        email = name.lower().replace(" ", ".").replace("é", "e").replace("í", "i") \
            + "@example.com"
        user, created = User.objects.get_or_create(
            email=email, defaults={"name": name, "password": unusable,
                                   "date_joined": timezone.now() - dt.timedelta(days=60)},
        )
        if created:
            Address.objects.create(
                user=user, name=name, line1=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                city=city, postal_code=postal, country=country, is_default=True,
                state=DEMO_STATES.get(country, ""),
            )
        customers.append((user, city, country, postal))
    shopper = User.objects.filter(email=shopper_email).first()
    if shopper is not None:
        customers.append((shopper, "Bristol", "GB", "BS1 4DJ"))
    return customers


def _demo_order(rng: random.Random, customer: Customer, variants: list[Variant],
                now: dt.datetime) -> None:
    user, city, country, postal = customer
    age = rng.random() ** 1.6 * 30  # more orders lately
    created_at = now - dt.timedelta(days=age, minutes=rng.randint(0, 600))
    status = _status(rng, age)
    picks = rng.sample(variants, k=min(len(variants), rng.choice((1, 1, 1, 2, 2, 3))))
    lines = []
    for variant in picks:
        quantity = rng.choice((1, 1, 1, 2, 3))
        lines.append((variant, quantity, variant.price * quantity))
    subtotal = sum((total for _, _, total in lines), Decimal("0.00"))
    shipping = Decimal("0.00") if subtotal >= Decimal(settings.SHOP_FREE_SHIPPING_OVER) \
        else Decimal("4.95")
    order = Order.objects.create(
        number=order_number_new(), user=user, email=user.email, status=status,
        currency=settings.SHOP_CURRENCY, subtotal=subtotal, shipping_total=shipping,
        total=subtotal + shipping, item_count=sum(q for _, q, _ in lines),
        ship_name=user.name, ship_line1=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
        ship_city=city, ship_postal_code=postal, ship_country=country,
        ship_state=DEMO_STATES.get(country, ""),
        shipping_method_code="standard", shipping_method_name="Standard delivery",
        payment_brand="" if status == OrderStatus.PENDING_PAYMENT else
        rng.choice(("visa", "visa", "mastercard", "amex")),
        payment_last4="" if status == OrderStatus.PENDING_PAYMENT else
        f"{rng.randint(0, 9999):04d}",
        created_at=created_at,
        paid_at=None if status == OrderStatus.PENDING_PAYMENT else created_at,
    )
    OrderLine.objects.bulk_create([
        OrderLine(order=order, variant=variant, sku=variant.sku,
                  product_name=variant.product.name,
                  variant_label="" if variant.label == "Standard" else variant.label,
                  unit_price=variant.price, quantity=quantity, line_total=total)
        for variant, quantity, total in lines
    ])
    _demo_money(order, status=status, created_at=created_at, rng=rng)


def _demo_money(order: Order, *, status: str, created_at: dt.datetime,
                rng: random.Random) -> None:
    """The demo order's payment (known to the test gateway's books, so staff can refund it)
    and its timeline."""
    events = [OrderEvent(order=order, kind="placed", status=OrderStatus.PENDING_PAYMENT,
                         at=created_at)]
    if status != OrderStatus.PENDING_PAYMENT:
        digest = hashlib.sha256(f"demo:{order.number}".encode()).hexdigest()[:24]
        refunded = status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
        payment = Payment.objects.create(
            order=order, gateway="test", reference=f"tch_{digest}", amount=order.total,
            currency=order.currency, brand=order.payment_brand, last4=order.payment_last4,
            created_at=created_at, settled_at=created_at,
            status=Payment.Status.REFUNDED if refunded else Payment.Status.CAPTURED,
            amount_refunded=order.total if refunded else Decimal("0.00"),
        )
        # the test gateway's own books know the charge, so staff can refund demo orders
        TestGatewayCharge.objects.create(
            idempotency_key=payment.idempotency_key, outcome="charged",
            reference=payment.reference, amount=payment.amount, currency=payment.currency,
        )
        later = created_at + dt.timedelta(hours=rng.randint(2, 40))
        events.append(OrderEvent(order=order, kind="paid", status=OrderStatus.PAID,
                                 at=created_at))
        if status != OrderStatus.PAID:
            events.append(OrderEvent(order=order, kind=status, status=status, at=later,
                                     amount=order.total if refunded else None))
        if refunded:
            Order.objects.filter(pk=order.pk).update(amount_refunded=order.total)
    OrderEvent.objects.bulk_create(events)


@transaction.atomic
def demo_orders_seed(*, count: int = 90, seed: int = 2024,
                     shopper_email: str = "shopper@example.com") -> DemoResult:
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    variants = list(
        Variant.objects.filter(product__is_active=True).select_related("product")
        .order_by("pk")[:400]
    )
    if not variants:
        return DemoResult(customers=0, orders=0)
    customers = _demo_customers(rng, shopper_email)
    now = timezone.now()
    for _ in range(count):
        _demo_order(rng, rng.choice(customers), variants, now)
    return DemoResult(customers=len(customers), orders=count)
