"""A path the shop does not have reads no credential and sets no cookie (found by the soak: a
CDN rule that caches every `.css` kept a 404 for `/dashboard/...;x.css` whose answer deleted
the forged session cookie it was sent, and served that Set-Cookie to the next visitor)."""

import pytest
from django.conf import settings
from django.test import Client

from shop.monitoring.models import SecurityEvent


@pytest.mark.parametrize("path", [
    "/dashboard/security/alerts/;x.css", "/account/orders/x.css", "/no-such-page/",
    "/api/v1/no-such-route",
])
def test_an_unknown_path_reads_no_session_and_sets_no_cookie(db, path):
    client = Client(HTTP_AUTHORIZATION="Bearer not.a.token")
    client.cookies[settings.SESSION_COOKIE_NAME] = "forged-session-id"
    response = client.get(path)
    assert response.status_code == 404
    assert not response.cookies
    assert not SecurityEvent.objects.filter(kind="token_invalid").exists()
