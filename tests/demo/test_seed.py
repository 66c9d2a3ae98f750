"""Demo data: the generator, seed_catalog and seed_demo."""

import stat
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Min
from PIL import Image

from shop.accounts.models import User
from shop.catalog.models import Category, Product, ProductImage, Variant
from shop.demo.catalog import CATALOG, ProductGenerator, has_doubled_word
from tests.factories import create_category, create_product

DEMO_EMAILS = [
    "shopper@example.com",
    "support@example.com",
    "manager@example.com",
    "admin@example.com",
]


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory):
    """One media directory per module: the shared images are drawn once."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture
def media(settings, tmp_path, media_dir):
    """Images and the demo password go to temporary directories, not var/."""
    settings.MEDIA_ROOT = media_dir
    settings.VAR_DIR = tmp_path / "var"
    return media_dir


@pytest.fixture
def no_demo_password(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def run(command: str, **options) -> str:
    out = StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


def test_generator_is_deterministic_and_plausible():
    first = list(ProductGenerator(seed=3).products(300))
    second = list(ProductGenerator(seed=3).products(300))
    other = list(ProductGenerator(seed=4).products(300))
    assert [p.name for p in first] == [p.name for p in second]
    assert [p.name for p in first] != [p.name for p in other]
    assert len({p.slug for p in first}) == 300
    skus = [v.sku for p in first for v in p.variants]
    assert len(set(skus)) == len(skus)
    for product in first:
        prices = [v.price for v in product.variants]
        assert product.price == min(prices)
        assert all(str(price).endswith((".00", ".50", ".95", ".99")) for price in prices)
        assert 2 <= product.description.count(".") <= 3
    assert any(p.variants[0].options == {} and len(p.variants) == 1 for p in first)
    tees = [p for p in first if p.category == "t-shirts"]
    assert tees
    assert all(19 <= p.price <= 39 for p in tees)
    assert all(
        v.options.get("size") in {"XS", "S", "M", "L", "XL"} for p in tees for v in p.variants
    )
    boots = [v for p in first if p.category == "boots" for v in p.variants]
    assert {v.options["size"] for v in boots} <= {f"EU {n}" for n in range(38, 47)}


def test_seed_catalog_creates_a_consistent_catalog(db, media):
    output = run("seed_catalog", products=200, seed=7, images=False)

    assert "Seeded 200 products" in output
    assert Category.objects.filter(parent=None).count() >= 5
    assert Category.objects.exclude(parent=None).count() >= 12
    assert all(c.description for c in Category.objects.all())
    assert Product.objects.count() == 200
    assert Product.objects.values("slug").distinct().count() == 200
    assert Variant.objects.values("sku").distinct().count() == Variant.objects.count()
    assert not Product.objects.filter(variants=None).exists()
    mismatched = Product.objects.annotate(lowest=Min("variants__price")).exclude(price=F("lowest"))
    assert not mismatched.exists()
    sold_out = Variant.objects.filter(stock=0).count()
    assert 0 < sold_out < Variant.objects.count() * 0.25
    assert 0 < Product.objects.filter(is_featured=True).count() < 60
    assert Product.objects.aggregate(n=Count("category", distinct=True))["n"] >= 10
    # shared images: every product points at an existing file, and has a ProductImage row
    assert ProductImage.objects.count() == 200
    for path in set(Product.objects.values_list("image", flat=True)):
        assert (media / path).is_file()


def assert_sensible_unique_names(names: list[str]) -> None:
    """Issue 15: 35 names of the demo shop came twice ("Leather Chelsea Boots" at 250.95 and at
    255.99), and some doubled a word ("French Terry Terry Sweatshirt")."""
    doubled = [name for name in names if has_doubled_word(name.split())]
    assert doubled == []
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert repeated == []
    assert all(3 <= len(name) <= 60 and name == name.strip() for name in names)


def test_generated_names_are_unique_and_have_no_doubled_word():
    assert has_doubled_word(["French Terry", "Terry", "Sweatshirt"])
    assert has_doubled_word(["Half-Zip", "Zip"])
    assert not has_doubled_word(["Organic", "Crew", "Tee"])
    assert_sensible_unique_names([p.name for p in ProductGenerator(seed=0).products(20_000)])


def test_seed_catalog_twice_keeps_slugs_skus_and_names_unique(db, media):
    run("seed_catalog", products=150, seed=1, images=False)
    run("seed_catalog", products=150, seed=1, images=False, batch=40)

    assert Product.objects.count() == 300
    assert Product.objects.values("slug").distinct().count() == 300
    assert_sensible_unique_names(list(Product.objects.values_list("name", flat=True)))
    assert Variant.objects.values("sku").distinct().count() == Variant.objects.count()


def test_seed_catalog_draws_images(db, media):
    run("seed_catalog", products=12, seed=5, images=True)

    for product in Product.objects.prefetch_related("images"):
        images = list(product.images.all())
        assert 1 <= len(images) <= 2
        assert product.image == images[0].path == f"products/{product.slug}.webp"
        for image in images:
            assert image.alt == product.name
            with Image.open(media / image.path) as picture:
                assert picture.format == "WEBP"
                assert picture.size == (480, 480)


def test_seed_demo_loads_everything_once_and_honours_demo_password(
    db, media, settings, monkeypatch
):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-123")
    output = run("seed_demo")

    assert Category.objects.count() >= 12
    assert Product.objects.count() >= 300
    assert_sensible_unique_names(list(Product.objects.values_list("name", flat=True)))
    assert not Product.objects.filter(image="").exists()
    users = {u.email: u for u in User.objects.filter(email__in=DEMO_EMAILS)}
    assert set(users) == set(DEMO_EMAILS)
    assert users["shopper@example.com"].name == "Sam Shopper"
    assert not users["shopper@example.com"].is_staff
    assert users["support@example.com"].is_staff
    assert users["manager@example.com"].is_staff
    assert not users["manager@example.com"].is_superuser
    assert users["admin@example.com"].is_staff
    assert users["admin@example.com"].is_superuser
    assert all(u.check_password("demo-pass-123") for u in users.values())
    assert "demo-pass-123" in output
    assert all(email in output for email in DEMO_EMAILS)
    assert not (settings.VAR_DIR / "demo_password").exists()  # the env one is not stored

    counts = (Product.objects.count(), Variant.objects.count(), User.objects.count())
    again = run("seed_demo")
    assert "skipping" in again
    assert (Product.objects.count(), Variant.objects.count(), User.objects.count()) == counts

    monkeypatch.setenv("DEMO_PASSWORD", "another-pass-456")
    run("seed_demo")
    assert all(
        u.check_password("another-pass-456") for u in User.objects.filter(email__in=DEMO_EMAILS)
    )


def test_seed_demo_generates_and_keeps_a_password(db, media, settings, no_demo_password):
    create_product("Existing Mug", category=create_category("Home"))  # skips the catalog

    output = run("seed_demo")

    password_file = settings.VAR_DIR / "demo_password"
    password = password_file.read_text().strip()
    assert len(password) >= 16
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert password in output
    assert Product.objects.count() == 1
    assert all(u.check_password(password) for u in User.objects.filter(email__in=DEMO_EMAILS))

    again = run("seed_demo")
    assert password_file.read_text().strip() == password
    assert password in again
    assert User.objects.filter(email__in=DEMO_EMAILS).count() == 4


def test_seed_demo_leaves_existing_accounts_alone(db, media, no_demo_password):
    create_product("Existing Mug", category=create_category("Home"))
    shopper = User.objects.create_user(email="shopper@example.com", password="mine-123456")

    output = run("seed_demo")

    shopper.refresh_from_db()
    assert shopper.check_password("mine-123456")
    assert "other password" in output


def test_demo_catalog_shape():
    subs = [sub for top in CATALOG for sub in top.subs]
    assert len(CATALOG) >= 5
    assert len(subs) >= 12
    assert len({sub.code for sub in subs}) == len(subs)


def test_add_generated_image_to_an_existing_product(db, media):
    from shop.demo.images import add_generated_image

    tee = create_product("Plain Tee", category=create_category("Clothing"))

    path = add_generated_image(tee, shape_name="tshirt")

    tee.refresh_from_db()
    assert tee.image == path == "products/plain-tee.webp"
    assert tee.images.get().alt == "Plain Tee"
    assert (media / path).is_file()


def test_bulk_insert_fills_in_defaults_of_unnamed_columns(db):
    from shop.demo.loader import _insert

    mug = create_product("Mug", category=create_category("Home"))

    _insert(ProductImage, ["product", "path", "alt"], [(mug.pk, "products/mug.webp", "Mug")])

    assert mug.images.get().position == 0
