"""The shipped nginx (deploy/nginx) in front of the live server: product images of several MB
reach the app on the two upload routes only; every other route keeps the 1 MB body limit,
and more than 11 MB never reaches the app at all."""

import io
import os

import pytest
from PIL import Image

from shop.catalog.models import ProductImage
from tests.deploy.test_production_nginx import shipped_nginx  # noqa: F401 (fixture)
from tests.support.api import api_headers

pytestmark = pytest.mark.nginx


def noisy_jpeg() -> bytes:
    """A photo-like JPEG of a few MB (noise does not compress)."""
    image = Image.frombytes("RGB", (1500, 1500), os.urandom(1500 * 1500 * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=98)
    return out.getvalue()


def test_images_of_several_mb_reach_the_app_and_nothing_else_does(shipped_nginx, shop):  # noqa: F811
    auth = {"Authorization": api_headers(shop.manager)["HTTP_AUTHORIZATION"]}
    photo = noisy_jpeg()
    assert 1_500_000 < len(photo) < 10 * 1024 * 1024
    slug = shop.catalog.tee.slug
    with shipped_nginx.client(timeout=60) as client:
        response = client.post(f"/api/v1/admin/products/{slug}/images", headers=auth,
                               files={"image": ("photo.jpg", photo, "image/jpeg")})
        assert response.status_code == 200, response.text[:300]
        assert ProductImage.objects.filter(product=shop.catalog.tee).count() == 1
        # the same bytes on another route: nginx's 1 MB limit
        response = client.patch(f"/api/v1/admin/products/{slug}", headers=auth,
                                content=b'{"description": "' + b"x" * 2_000_000 + b'"}')
        assert response.status_code == 413
        # more than 11 MB is refused by nginx before the app reads it
        response = client.post(f"/api/v1/admin/products/{slug}/images", headers=auth,
                               files={"image": ("big.jpg", b"\xff\xd8" + b"\x00" * 12_000_000,
                                                "image/jpeg")})
        assert response.status_code == 413
    assert ProductImage.objects.filter(product=shop.catalog.tee).count() == 1
