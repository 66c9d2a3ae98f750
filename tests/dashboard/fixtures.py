"""People and orders for the staff tests (imported by tests/dashboard and tests/monitoring
conftests): a customer with an order full of recognisable strings, a second customer, and one
account per staff role; ways to be each of them on the dashboard (session) and the API
(bearer token)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from shop.accounts.models import Address, User
from shop.accounts.tokens import access_token_issue
from shop.orders.models import Order, OrderLine, OrderStatus, Payment, TestGatewayCharge
from shop.staff.roles import ROLES, roles_sync
from tests.factories import create_user

PASSWORD = "correct horse battery staple"
ACTORS = ("anonymous", "shopper", "support", "manager", "admin")
_numbers = itertools.count(1)
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def order_number() -> str:
    n = next(_numbers)
    digits = []
    for _ in range(10):
        n, r = divmod(n, len(_ALPHABET))
        digits.append(_ALPHABET[r])
    return "BFM-" + "".join(reversed(digits))


def staff_user(email: str, role: str, **fields) -> User:
    from django.contrib.auth.models import Group

    user = create_user(email, PASSWORD, name=fields.pop("name", email.split("@")[0].title()),
                       is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=ROLES[role][0]))
    return user


def place_order(user: User | None, *, variant=None, status: str = OrderStatus.PAID,
                total: str = "62.00", name: str = "Wilhelmina Zyskowski",
                city: str = "Quillfeather", days_ago: int = 0, **fields) -> Order:
    """An order as checkout leaves it (paid: a captured payment with a charge reference)."""
    created = timezone.now() - timezone.timedelta(days=days_ago)
    order = Order.objects.create(
        number=order_number(), user=user, email=user.email if user else "",
        status=status, currency="EUR", subtotal=Decimal(total) - Decimal("4.95"),
        shipping_total=Decimal("4.95"), total=Decimal(total), item_count=2,
        ship_name=name, ship_line1="17 Larkspur Mews", ship_line2="", ship_city=city,
        ship_postal_code="QF1 2ZZ", ship_country="GB", shipping_method_code="standard",
        shipping_method_name="Standard delivery", payment_brand="visa", payment_last4="4242",
        created_at=created, paid_at=created if status != OrderStatus.PENDING_PAYMENT else None,
        **fields,
    )
    OrderLine.objects.create(
        order=order, variant=variant, sku=variant.sku if variant else "SKU-GONE",
        product_name=variant.product.name if variant else "Discontinued Thing",
        unit_price=(Decimal(total) - Decimal("4.95")) / 2, quantity=2,
        line_total=Decimal(total) - Decimal("4.95"),
    )
    if status != OrderStatus.PENDING_PAYMENT:
        refunded = status not in (OrderStatus.PAID, OrderStatus.FULFILLED)
        payment = Payment.objects.create(
            order=order, gateway="test", reference=f"tch_{order.number}", amount=order.total,
            currency="EUR", brand="visa", last4="4242",
            status=Payment.Status.REFUNDED if refunded else Payment.Status.CAPTURED,
            amount_refunded=order.total if refunded else Decimal("0.00"),
        )
        # the test gateway's own books know the charge, as a real provider would
        TestGatewayCharge.objects.create(
            idempotency_key=payment.idempotency_key, outcome="charged",
            reference=payment.reference, amount=payment.amount, currency="EUR",
        )
        if refunded:
            Order.objects.filter(pk=order.pk).update(amount_refunded=order.total)
            order.amount_refunded = order.total
    return order


@dataclass
class Shop:
    customer: User
    other: User
    support: User
    manager: User
    admin: User
    order: Order
    other_order: Order
    catalog: object

    # strings that only the customer's data contains: a denied actor must see none of them
    @property
    def secrets(self) -> tuple[str, ...]:
        return (
            self.customer.email, "Wilhelmina", "Zyskowski", "Quillfeather", "Larkspur",
            "Beatrix Oddfellow",
        )

    def user(self, actor: str) -> User | None:
        return None if actor == "anonymous" else {
            "shopper": self.other, "support": self.support, "manager": self.manager,
            "admin": self.admin,
        }[actor]


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def roles(db):
    """The role groups (a transactional test empties auth_group when it ends)."""
    roles_sync()


@pytest.fixture
def shop(roles, catalog) -> Shop:
    customer = create_user("wilhelmina.z@example.com", PASSWORD, name="Wilhelmina Zyskowski")
    Address.objects.create(user=customer, name="Beatrix Oddfellow", line1="3 Quince Row",
                           city="Quillfeather", postal_code="QF2 3YY", country="GB",
                           is_default=True)
    other = create_user("plain.shopper@example.com", PASSWORD, name="Plain Shopper")
    variant = catalog.tee.variants.first()
    return Shop(
        customer=customer,
        other=other,
        support=staff_user("sue.support@example.com", "support", name="Sue Support"),
        manager=staff_user("max.manager@example.com", "manager", name="Max Manager"),
        admin=staff_user("ada.admin@example.com", "admin", name="Ada Admin"),
        order=place_order(customer, variant=variant),
        other_order=place_order(other, variant=variant, name="Plain Shopper", city="Elsewhere"),
        catalog=catalog,
    )


def web_client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_headers(user: User | None) -> dict:
    return {} if user is None else {"HTTP_AUTHORIZATION": f"Bearer {access_token_issue(user=user)}"}
