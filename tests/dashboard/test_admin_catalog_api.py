"""The staff catalog API (SPEC §4.1) through real HTTP calls on the test client: managers
create and edit products and upload images; support staff and shoppers get 403, strangers
401; bad input is a 422 that writes nothing; every change is in the audit log; a new price
is in every list and search answer at once; hostile images are refused or cleaned."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from PIL import Image

from shop.catalog.models import Product, ProductImage, Variant
from shop.monitoring.models import AuditEvent
from tests.support import hostile_images as hostile
from tests.support.api import api_call, api_headers
from tests.support.api import api_client as _api_client

BOOT = {
    "name": "Waxed Chelsea Boot",
    "category": "clothing",
    "description": "Oiled leather, elastic sides.",
    "variants": [
        {"sku": "WCB-41-BRN", "options": {"size": "41", "colour": "Brown"}, "price": "189.00",
         "stock": 4},
        {"sku": "WCB-42-BRN", "options": {"size": "42", "colour": "Brown"}, "price": "189.00",
         "stock": 0},
        {"sku": "WCB-42-BLK", "options": {"size": "42", "colour": "Black"}, "price": "199.00",
         "stock": 7},
    ],
}


def _token(user) -> str:
    return api_headers(user)["HTTP_AUTHORIZATION"].removeprefix("Bearer ")


def create(client, user, body=BOOT):
    return api_call(client, "POST", "/api/v1/admin/products", body, token=_token(user))


def patch(client, user, slug, body):
    return api_call(client, "PATCH", f"/api/v1/admin/products/{slug}", body, token=_token(user))


def upload(user, slug, data: bytes, name="photo.jpg", content_type="image/jpeg", **fields):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _api_client(user)
    return client.post(f"/api/v1/admin/products/{slug}/images",
                       {"image": SimpleUploadedFile(name, data, content_type=content_type),
                        **fields})


def test_a_manager_creates_a_product_audited_and_private(shop, client):
    response = create(client, shop.manager)
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "private, no-store"
    body = response.json()
    assert body["slug"] == "waxed-chelsea-boot"
    assert body["price"] == "189.00"
    assert body["published"] is True
    assert [v["sku"] for v in body["variants"]] == ["WCB-41-BRN", "WCB-42-BRN", "WCB-42-BLK"]
    event = AuditEvent.objects.get(action="product.create")
    assert event.actor_id == shop.manager.pk
    assert event.via == "api"
    assert event.details["variants"][2] == {"sku": "WCB-42-BLK", "price": "199.00", "stock": 7}
    # in the shop's list, its search and its page at once
    listed = client.get("/api/v1/products?q=chelsea").json()["items"]
    assert [p["slug"] for p in listed] == ["waxed-chelsea-boot"]


@pytest.mark.parametrize("who", ["support", "customer", None])
def test_only_managers_may_create_or_edit(shop, client, who):
    user = getattr(shop, who) if who else None
    before = Product.objects.count()
    headers = api_headers(user)
    response = client.post("/api/v1/admin/products", BOOT, content_type="application/json",
                           **headers)
    assert response.status_code == (403 if user else 401)
    response = client.patch(f"/api/v1/admin/products/{shop.catalog.mug.slug}",
                            {"name": "Pwned"}, content_type="application/json", **headers)
    assert response.status_code == (403 if user else 401)
    response = upload(user, shop.catalog.mug.slug, hostile.png()) if user else None
    assert response is None or response.status_code == 403
    assert Product.objects.count() == before
    assert Product.objects.get(pk=shop.catalog.mug.pk).name == "Stoneware Mug"
    assert not AuditEvent.objects.filter(action__startswith="product.").exists()


@pytest.mark.parametrize("change", [
    {"name": ""},
    {"category": "no-such-category"},
    {"variants": []},
    {"variants": [{"sku": "A 1", "price": "1.00"}]},
    {"variants": [{"sku": "A1", "price": "-1.00"}]},
    {"variants": [{"sku": "A1", "price": "1.005"}]},
    {"variants": [{"sku": "A1", "price": "1.00"}, {"sku": "a1", "price": "2.00"}]},
    {"variants": [{"sku": "A1", "price": "1", "options": {"size": "S"}},
                  {"sku": "A2", "price": "1", "options": {"size": "S"}}]},
    {"variants": [{"sku": "A1", "price": "1", "stock": -3}]},
    {"variants": [{"sku": "A1", "price": "NaN"}]},
    {"variants": [{"sku": "SKU-TAKEN", "price": "1.00"}]},
    {"name": "x" * 201},
])
def test_bad_input_is_a_422_that_writes_nothing(shop, client, change):
    Variant.objects.filter(pk=shop.catalog.mug.variants.first().pk).update(sku="SKU-TAKEN")
    before = (Product.objects.count(), Variant.objects.count(), AuditEvent.objects.count())
    response = create(client, shop.manager, {**BOOT, **change})
    assert response.status_code == 422, (change, response.content)
    error = response.json()["error"]
    assert error["message"]
    assert "Traceback" not in error["message"]
    assert (Product.objects.count(), Variant.objects.count(),
            AuditEvent.objects.count()) == before
    if "variants" in change or "name" in change:
        slug = shop.catalog.tee.slug
        response = patch(client, shop.manager, slug, change)
        assert response.status_code in (422,), (change, response.content)
        assert Product.objects.get(pk=shop.catalog.tee.pk).name == "Organic Cotton Tee"


def test_a_price_change_shows_in_every_list_and_search_at_once(shop, client):
    slug = create(client, shop.manager).json()["slug"]
    for url in ("/api/v1/products", "/api/v1/products?q=boot", f"/api/v1/products/{slug}",
                "/products/?q=boot", f"/products/{slug}/"):
        assert "189.00" in client.get(url).content.decode(), url
    variants = [{**v, "price": "149.00"} if v["sku"] == "WCB-41-BRN" else v
                for v in BOOT["variants"]]
    response = patch(client, shop.manager, slug, {"variants": variants})
    assert response.status_code == 200, response.content
    assert response.json()["price"] == "149.00"
    listed = {p["slug"]: p["price"] for p in client.get("/api/v1/products").json()["items"]}
    assert listed[slug] == "149.00"
    found = client.get("/api/v1/products?q=chelsea+boot").json()["items"]
    assert [p["price"] for p in found] == ["149.00"]
    assert "149.00" in client.get("/products/?q=boot").content.decode()
    assert "149.00" in client.get(f"/products/{slug}/").content.decode()
    event = AuditEvent.objects.get(action="product.update")
    assert event.details["prices"] == [{"sku": "WCB-41-BRN", "from": "189.00", "to": "149.00"}]


def test_a_price_jump_needs_a_confirmation(shop, client):
    slug = shop.catalog.mug.slug
    sku = shop.catalog.mug.variants.first().sku
    for price in ("0.00", "1000000.00", "7.00"):
        response = patch(client, shop.manager, slug,
                         {"variants": [{"sku": sku, "price": price}]})
        assert response.status_code == 422, price
        assert response.json()["error"]["code"] == "price_confirmation_required"
        assert Variant.objects.get(sku=sku).price == Decimal("14.50")
    response = patch(client, shop.manager, slug,
                     {"variants": [{"sku": sku, "price": "0.00"}], "confirm_price_change": True})
    assert response.status_code == 200
    assert Variant.objects.get(sku=sku).price == Decimal("0.00")
    # a small change needs none
    response = patch(client, shop.manager, slug, {"variants": [{"sku": sku, "price": "0.00"}],
                                                  "name": "Stoneware Mug, blue"})
    assert response.status_code == 200


def test_patch_unknown_product_is_404(shop, client):
    response = patch(client, shop.manager, "no-such-thing", {"name": "X"})
    assert response.status_code == 404


def _stored(product: Product) -> bytes:
    image = ProductImage.objects.filter(product=product).order_by("-pk").first()
    return (Path(settings.MEDIA_ROOT) / image.path).read_bytes()


def test_an_upload_is_re_encoded_without_its_gps(shop):
    original = hostile.jpeg_with_gps()
    assert hostile.has_gps(original)
    response = upload(shop.manager, shop.catalog.tee.slug, original, colour="White")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["images"][-1]["colour"] == "White"
    assert body["images"][-1]["url"].endswith(".webp")
    stored = _stored(shop.catalog.tee)
    assert stored != original
    image = Image.open(io.BytesIO(stored))
    assert image.format == "WEBP"
    assert not hostile.has_gps(stored)
    assert b"SpyCam" not in stored
    assert AuditEvent.objects.filter(action="product.image_add", actor_id=shop.manager.pk).exists()
    # one image per colour: a second white one replaces the first
    upload(shop.manager, shop.catalog.tee.slug, hostile.png(), name="w.png",
           content_type="image/png", colour="White")
    assert ProductImage.objects.filter(product=shop.catalog.tee, colour="White").count() == 1


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("shell.jpg", hostile.PHP_AS_JPEG, "image/jpeg"),
    ("bomb.png", hostile.png_bomb(), "image/png"),
    ("logo.svg", hostile.SVG_WITH_SCRIPT, "image/svg+xml"),
    ("logo.png", hostile.SVG_WITH_SCRIPT, "image/png"),
    ("big.jpg", hostile.oversized_jpeg(), "image/jpeg"),
    ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
])
def test_hostile_uploads_are_refused_and_leave_nothing(shop, name, data, content_type):
    before = set(Path(settings.MEDIA_ROOT).rglob("*")) if Path(settings.MEDIA_ROOT).exists() \
        else set()
    response = upload(shop.manager, shop.catalog.tee.slug, data, name=name,
                      content_type=content_type)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_image"
    assert str(settings.MEDIA_ROOT) not in error["message"]
    assert not ProductImage.objects.filter(product=shop.catalog.tee).exists()
    after = set(Path(settings.MEDIA_ROOT).rglob("*")) if Path(settings.MEDIA_ROOT).exists() \
        else set()
    assert {p for p in after - before if p.is_file()} == set()


def test_an_image_for_a_colour_the_product_lacks_is_refused(shop):
    response = upload(shop.manager, shop.catalog.tee.slug, hostile.png(), name="p.png",
                      content_type="image/png", colour="Purple")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_colour"


def test_support_cannot_upload(shop):
    assert upload(shop.support, shop.catalog.tee.slug, hostile.png()).status_code == 403
    assert Client().post(f"/api/v1/admin/products/{shop.catalog.tee.slug}/images").status_code \
        == 401
