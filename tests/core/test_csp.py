"""shop/core/security_headers.py: the CSP built once is exactly django-csp's, and per-view changes
(the API docs page's styles) still go through django-csp."""

import pytest
from csp.utils import build_policy

pytestmark = pytest.mark.django_db


def test_the_prebuilt_policy_is_django_csps(client):
    response = client.get("/privacy/")
    assert response["Content-Security-Policy"] == build_policy()
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_a_view_that_changes_the_policy_still_gets_its_change(client):
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "'unsafe-inline'" in docs["Content-Security-Policy"]
    assert "'unsafe-inline'" not in client.get("/privacy/")["Content-Security-Policy"]


def test_a_changed_setting_is_followed(client, settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/privacy/")["Content-Security-Policy"] == "default-src 'none'"
