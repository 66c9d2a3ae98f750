"""The dashboard's product editor and product pages (managers), through the test client:
the variant matrix, draft/published, filters and labelled stock on the list, counted stock,
price jumps confirmed and kept in the product's history, hostile image uploads refused or
cleaned through the form, and nobody but a manager let in."""

import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shop.catalog.models import Product, ProductImage, StockAdjustment, Variant
from shop.monitoring.models import AuditEvent
from tests.support import hostile_images as hostile
from tests.support.api import web_client

NEW = reverse("dashboard:product_create")


def matrix_post(**extra) -> dict:
    """The editor's fields for a boot in 2 colours x 3 sizes, before the table is built."""
    return {"name": "Canvas Sneaker", "category": "clothing", "description": "Low top.",
            "published": "on", "default_price": "59.00",
            "option1_name": "size", "option1_values": "40, 41, 42",
            "option2_name": "colour", "option2_values": "Red, Blue",
            "option3_name": "", "option3_values": "", **extra}


def built_cells(body: str) -> dict:
    """The matrix rows of a rendered editor: name -> value of every cell input."""
    return dict(re.findall(r'name="(cell-\d+-[a-z_]+)" value="([^"]*)"', body))


def test_a_manager_builds_the_matrix_and_creates_a_product(shop):
    client = web_client(shop.manager)
    assert client.get(NEW).status_code == 200
    body = client.post(NEW, {**matrix_post(), "action": "matrix"}).content.decode()
    cells = built_cells(body)
    assert len([k for k in cells if k.endswith("-sku")]) == 6
    assert cells["cell-0-sku"] == "CS-40-RED"
    assert cells["cell-5-price"] == "59.00"
    options = {k: json.loads(v.replace("&quot;", '"')) for k, v in cells.items()
               if k.endswith("-options")}
    assert options["cell-5-options"] == {"size": "42", "colour": "Blue"}
    # the manager sets one cell's price and stock, and leaves one combination out
    data = {**matrix_post(), **{k: v.replace("&quot;", '"') for k, v in cells.items()},
            "cell-1-price": "64.00", "cell-1-stock": "7", "cell-2-sku": "", "action": "save"}
    response = client.post(NEW, data)
    assert response.status_code == 302
    product = Product.objects.get(name="Canvas Sneaker")
    assert product.is_active
    assert product.category.slug == "clothing"
    variants = {v.sku: v for v in product.variants.all()}
    assert len(variants) == 5
    assert variants["CS-40-BLUE"].price == Decimal("64.00")
    assert variants["CS-40-BLUE"].stock == 7
    assert variants["CS-40-BLUE"].options == {"size": "40", "colour": "Blue"}
    event = AuditEvent.objects.get(action="product.create")
    assert event.via == "dashboard"
    assert event.actor_id == shop.manager.pk
    # on the storefront, at once
    assert "Canvas Sneaker" in web_client(None).get("/products/?q=sneaker").content.decode()


def test_a_draft_is_not_in_the_shop(shop):
    client = web_client(shop.manager)
    cells = built_cells(client.post(NEW, {**matrix_post(), "action": "matrix"}).content.decode())
    data = {**matrix_post(), **{k: v.replace("&quot;", '"') for k, v in cells.items()},
            "action": "save"}
    data.pop("published")
    client.post(NEW, data)
    product = Product.objects.get(name="Canvas Sneaker")
    assert not product.is_active
    assert web_client(None).get(f"/products/{product.slug}/").status_code == 404
    listed = client.get(reverse("dashboard:product_list") + "?status=draft").content.decode()
    assert "Canvas Sneaker" in listed
    assert "Organic Cotton Tee" not in listed


def test_bad_input_is_shown_and_nothing_is_written(shop):
    client = web_client(shop.manager)
    cells = built_cells(client.post(NEW, {**matrix_post(), "action": "matrix"}).content.decode())
    base = {**matrix_post(), **{k: v.replace("&quot;", '"') for k, v in cells.items()},
            "action": "save"}
    for change in ({"cell-0-price": "abc"}, {"cell-0-price": "-1"}, {"cell-0-stock": "-2"},
                   {"cell-1-sku": "CS-40-RED"}, {"name": ""}, {"category": "nope"},
                   {"cell-0-options": "{broken"}, {"cell-0-sku": "bad sku!"}):
        response = client.post(NEW, {**base, **change})
        assert response.status_code == 422, change
        assert 'role="alert"' in response.content.decode()
    assert not Product.objects.filter(name="Canvas Sneaker").exists()
    assert not AuditEvent.objects.filter(action="product.create").exists()


def test_the_product_list_filters_and_labels_stock(shop):
    client = web_client(shop.manager)
    url = reverse("dashboard:product_list")
    body = client.get(url + "?category=clothing").content.decode()
    assert "Organic Cotton Tee" in body  # in a subcategory of Clothing
    assert "Heavyweight Hoodie" in body
    assert "Stoneware Mug" not in body
    # the category picker lists the tree in order: Clothing, then its T-Shirts, then Home
    options = re.findall(r'<option value="([a-z-]+)"', body)
    assert options[:3] == ["clothing", "t-shirts", "home"]
    assert "— T-Shirts" in body
    # each stock chip says which variant it counts
    chip = re.search(r'<li class="stock stock--labelled[^"]*" title="[^"]+"><span '
                     r'class="stock-label">S / White</span> <span class="stock-count">4</span>',
                     body)
    assert chip
    assert client.get(url + "?status=published").status_code == 200


def test_stock_can_be_set_to_a_counted_number(shop):
    variant = shop.catalog.mug.variants.first()
    client = web_client(shop.manager)
    client.post(reverse("dashboard:stock_set", args=[variant.pk]), {"stock": "12"})
    variant.refresh_from_db()
    assert variant.stock == 12
    adjustment = StockAdjustment.objects.get(variant=variant)
    assert (adjustment.delta, adjustment.stock_after, adjustment.reason) == (-18, 12, "count")
    assert AuditEvent.objects.filter(action="stock.adjust", object_id=str(variant.pk)).exists()
    client.post(reverse("dashboard:stock_set", args=[variant.pk]), {"stock": "-5"})
    variant.refresh_from_db()
    assert variant.stock == 12


def test_a_price_jump_is_confirmed_then_in_the_history(shop):
    variant = shop.catalog.mug.variants.first()
    client = web_client(shop.manager)
    url = reverse("dashboard:variant_price", args=[variant.pk])
    response = client.post(url, {"price": "0"})
    assert response.status_code == 422
    assert "Confirm the price change" in response.content.decode()
    variant.refresh_from_db()
    assert variant.price == Decimal("14.50")
    client.post(url, {"price": "0", "confirm": "yes"})
    variant.refresh_from_db()
    assert variant.price == Decimal("0.00")
    page = client.get(reverse("dashboard:product_detail", args=[shop.catalog.mug.pk]))
    history = page.content.decode().split('id="changes-title"')[1]
    assert "Price changed" in history
    assert "€14.50 → €0.00" in history
    assert shop.manager.email in history


def test_editing_keeps_stock_sold_meanwhile_and_asks_before_a_jump(shop):
    tee = shop.catalog.tee
    client = web_client(shop.manager)
    edit = reverse("dashboard:product_edit", args=[tee.pk])
    body = client.get(edit).content.decode()
    cells = {k: v.replace("&quot;", '"') for k, v in built_cells(body).items()}
    assert cells["cell-0-stock_was"] == "4"
    Variant.objects.filter(sku=cells["cell-0-sku"]).update(stock=2)  # a sale meanwhile
    form = {"name": "Organic Cotton Tee", "category": "t-shirts", "description": "Soft.",
            "published": "on", "option1_name": "size", "option1_values": "S, M, L",
            "option2_name": "colour", "option2_values": "White, Navy", "action": "save",
            **cells, "cell-2-price": "99.00"}
    response = client.post(edit, form)
    assert response.status_code == 422
    assert "Confirm the price change" in response.content.decode()
    assert Variant.objects.get(sku=cells["cell-2-sku"]).price == Decimal("26.00")
    response = client.post(edit, {**form, "confirm_price": "on"})
    assert response.status_code == 302
    assert Variant.objects.get(sku=cells["cell-2-sku"]).price == Decimal("99.00")
    assert Variant.objects.get(sku=cells["cell-0-sku"]).stock == 2  # not overwritten with 4
    tee.refresh_from_db()
    assert tee.description == "Soft."


def _upload(client, product, data, name, content_type, colour=""):
    return client.post(reverse("dashboard:product_image", args=[product.pk]),
                       {"image": SimpleUploadedFile(name, data, content_type=content_type),
                        "colour": colour}, follow=True)


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("shell.jpg", hostile.PHP_AS_JPEG, "image/jpeg"),
    ("bomb.png", hostile.png_bomb(), "image/png"),
    ("logo.svg", hostile.SVG_WITH_SCRIPT, "image/svg+xml"),
])
def test_hostile_uploads_through_the_form_are_refused(shop, name, data, content_type):
    response = _upload(web_client(shop.manager), shop.catalog.tee, data, name, content_type)
    body = response.content.decode()
    assert "flash--error" in body
    assert ("Upload a JPEG, PNG or WebP image." in body or "too many pixels" in body)
    assert not ProductImage.objects.filter(product=shop.catalog.tee).exists()


def test_an_upload_through_the_form_loses_its_gps(shop):
    response = _upload(web_client(shop.manager), shop.catalog.tee, hostile.jpeg_with_gps(),
                       "camera.jpg", "image/jpeg", colour="Navy")
    assert "Image added." in response.content.decode()
    image = ProductImage.objects.get(product=shop.catalog.tee)
    assert image.colour == "Navy"
    stored = (Path(settings.MEDIA_ROOT) / image.path).read_bytes()
    assert Image.open(io.BytesIO(stored)).format == "WEBP"
    assert not hostile.has_gps(stored)
    shop.catalog.tee.refresh_from_db()
    assert shop.catalog.tee.image == image.path  # the list's thumbnail


@pytest.mark.parametrize("who", ["support", "customer"])
def test_only_managers_reach_the_editor(shop, who):
    client = web_client(getattr(shop, who))
    for url in (NEW, reverse("dashboard:product_edit", args=[shop.catalog.tee.pk])):
        assert client.get(url).status_code in (403, 404)
    response = client.post(NEW, {**matrix_post(), "action": "save"})
    assert response.status_code in (403, 404)
    assert not Product.objects.filter(name="Canvas Sneaker").exists()
