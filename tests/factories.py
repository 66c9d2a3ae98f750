"""The one set of factories and characters of the suite: plain functions that build real rows
through the models and services (no mocks), and the people the tests are about.

Characters: Alice and Bob, two shoppers (ALICE, BOB: email, name, address); staff members are
made per role by `staff_user`; PASSWORD is everyone's password. Fixtures that hand them to tests
are in tests/fixtures/ (loaded for every test by tests/conftest.py).
"""

import itertools
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify

from shop.accounts.models import User
from shop.catalog.models import Category, Product, Variant
from shop.catalog.services import product_refresh_summary
from shop.orders.models import Order, OrderLine, OrderStatus, Payment, TestGatewayCharge
from shop.shipping.defaults import DEFAULT_METHODS
from shop.shipping.models import ShippingMethod
from shop.staff.roles import ROLES

_counter = itertools.count(1)
_numbers = itertools.count(1)
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

PASSWORD = "correct horse battery staple"
GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"

ALICE_ADDRESS = {
    "name": "Alice Liddell",
    "line1": "12 Rabbit Hole Lane",
    "line2": "Flat 3",
    "city": "Oxford",
    "postal_code": "OX1 4AW",
    "country": "GB",
}
BOB_ADDRESS = {
    "name": "Bob Marchhare",
    "line1": "7 Teapot Street",
    "line2": "",
    "city": "Lyon",
    "postal_code": "69002",
    "country": "FR",
}
ALICE = SimpleNamespace(email="alice@example.com", name="Alice Liddell", address=ALICE_ADDRESS)
BOB = SimpleNamespace(email="bob@example.com", name="Bob Marchhare", address=BOB_ADDRESS)


def create_category(name: str, *, parent: Category | None = None, **fields) -> Category:
    return Category.objects.create(name=name, slug=slugify(name), parent=parent, **fields)


def create_product(
    name: str,
    *,
    category: Category,
    variants: list[dict] | None = None,
    age_days: int = 0,
    **fields,
) -> Product:
    """variants: [{"price": "9.99", "stock": 3, "options": {"size": "M"}}]; one by default."""
    product = Product.objects.create(
        name=name,
        slug=fields.pop("slug", slugify(name)),
        category=category,
        description=fields.pop("description", f"The {name}, made to last."),
        created_at=timezone.now() - timedelta(days=age_days),
        **fields,
    )
    for position, spec in enumerate(variants or [{"price": "10.00", "stock": 5}]):
        Variant.objects.create(
            product=product,
            sku=spec.get("sku") or f"SKU-{next(_counter):06d}",
            options=spec.get("options", {}),
            price=Decimal(str(spec["price"])),
            stock=spec.get("stock", 5),
            position=position,
        )
    return product_refresh_summary(product=product)


def create_user(email: str, password: str = "correct horse battery staple", **fields) -> User:
    return User.objects.create_user(email=email, password=password, **fields)


def build_small_catalog() -> SimpleNamespace:
    clothing = create_category("Clothing", description="Shirts, hoodies and jackets.")
    tees = create_category("T-Shirts", parent=clothing)
    home = create_category("Home", description="Things for the house.")
    tee = create_product(
        "Organic Cotton Tee",
        category=tees,
        age_days=3,
        is_featured=True,
        variants=[
            {"price": "24.00", "stock": 4, "options": {"size": "S", "colour": "White"}},
            {"price": "24.00", "stock": 0, "options": {"size": "M", "colour": "White"}},
            {"price": "26.00", "stock": 9, "options": {"size": "L", "colour": "Navy"}},
        ],
    )
    hoodie = create_product(
        "Heavyweight Hoodie",
        category=clothing,
        age_days=2,
        variants=[{"price": "69.00", "stock": 2, "options": {"size": "M"}}],
    )
    lamp = create_product(
        "Brass Desk Lamp", category=home, age_days=1, variants=[{"price": "120.00", "stock": 0}]
    )
    mug = create_product(
        "Stoneware Mug", category=home, age_days=0, variants=[{"price": "14.50", "stock": 30}]
    )
    return SimpleNamespace(
        clothing=clothing, tees=tees, home=home, tee=tee, hoodie=hoodie, lamp=lamp, mug=mug
    )


def build_big_catalog() -> list[Product]:
    """130 products over three categories, each with two variants; 97 can be bought and every
    tenth is featured. Bulk-created: for query-count tests that need many rows quickly."""
    top = create_category("Outdoor")
    tents = create_category("Tents", parent=top)
    bags = create_category("Bags")
    products = Product.objects.bulk_create(
        Product(
            category=(top, tents, bags)[n % 3],
            name=f"Trail Item {n:03d}",
            slug=f"trail-item-{n:03d}",
            price=Decimal(10 + n),
            is_featured=n % 10 == 0,
        )
        for n in range(130)
    )
    Variant.objects.bulk_create(
        Variant(product=p, sku=f"TR-{n}-{size}", options={"size": size}, price=p.price, stock=s)
        for n, p in enumerate(products)
        for size, s in (("S", 0), ("L", n % 4))  # every fourth product is sold out
    )
    return products


# --- people


def create_alice() -> User:
    return create_user(ALICE.email, PASSWORD, name=ALICE.name)


def create_bob() -> User:
    return create_user(BOB.email, PASSWORD, name=BOB.name)


def staff_user(email: str, role: str, **fields) -> User:
    """A staff member holding `role`'s group (the groups exist: roles_sync or the `roles`
    fixture)."""
    user = create_user(email, PASSWORD, name=fields.pop("name", email.split("@")[0].title()),
                       is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=ROLES[role][0]))
    return user


# --- shipping and orders


def ensure_shipping_methods() -> None:
    """The shipping methods migration 0002 creates (a transactional test flushes them)."""
    for code, name, description, price, position in DEFAULT_METHODS:
        ShippingMethod.objects.get_or_create(
            code=code,
            defaults={"name": name, "description": description, "price": price,
                      "position": position},
        )


def checkout_body(address: dict | None = None, *, card: str = GOOD_CARD, method="standard",
                  **extra) -> dict:
    return {
        "shipping_address": dict(address or ALICE_ADDRESS),
        "shipping_method": method,
        "payment": {"card_number": card, "exp_month": 12, "exp_year": 2099, "cvc": "123"},
        **extra,
    }


def order_number() -> str:
    """A well-formed order number, new for each call (tests only: checkout makes random ones)."""
    n = next(_numbers)
    digits = []
    for _ in range(10):
        n, r = divmod(n, len(_ALPHABET))
        digits.append(_ALPHABET[r])
    return "BFM-" + "".join(reversed(digits))


def place_order(user: User | None, *, variant=None, status: str = OrderStatus.PAID,
                total: str = "62.00", name: str = "Wilhelmina Zyskowski",
                line1: str = "17 Larkspur Mews", city: str = "Quillfeather",
                postal_code: str = "QF1 2ZZ", variant_label: str = "", days_ago: int = 0,
                **fields) -> Order:
    """An order as checkout leaves it, written directly: two units of `variant` (or of a
    discontinued thing), standard shipping (4.95); paid, fulfilled, cancelled or refunded
    ones have a payment with a charge reference (captured, or refunded)."""
    created = timezone.now() - timezone.timedelta(days=days_ago)
    subtotal = Decimal(total) - Decimal("4.95")
    order = Order.objects.create(
        number=order_number(), user=user, email=user.email if user else "",
        status=status, currency="EUR", subtotal=subtotal,
        shipping_total=Decimal("4.95"), total=Decimal(total), item_count=2,
        ship_name=name, ship_line1=line1, ship_line2="", ship_city=city,
        ship_postal_code=postal_code, ship_country="GB", shipping_method_code="standard",
        shipping_method_name="Standard delivery", payment_brand="visa", payment_last4="4242",
        created_at=created, paid_at=created if status != OrderStatus.PENDING_PAYMENT else None,
        **fields,
    )
    OrderLine.objects.create(
        order=order, variant=variant, sku=variant.sku if variant else "SKU-GONE",
        product_name=variant.product.name if variant else "Discontinued Thing",
        variant_label=variant_label, unit_price=subtotal / 2, quantity=2, line_total=subtotal,
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
