"""Plain functions that build real rows through the models and services (no mocks)."""

import itertools
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone
from django.utils.text import slugify

from shop.accounts.models import User
from shop.catalog.models import Category, Product, Variant
from shop.catalog.services import product_refresh_summary

_counter = itertools.count(1)


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
