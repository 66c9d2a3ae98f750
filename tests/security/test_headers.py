"""docs/threats.md case 25: security headers on every kind of response, and a clean
`manage.py check --deploy` under the production settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/", "/products/", "/fragments/header", "/api/v1/products",
                                  "/no-such-page/", "/api/v1/nope"])
def test_every_response_carries_the_security_headers(client, catalog, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in csp.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_storefront_pages_have_no_inline_script_or_style(client, catalog):
    for path in ["/", "/products/", f"/products/{catalog.tee.slug}/", "/c/clothing/"]:
        html = client.get(path).content.decode()
        for chunk in html.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            assert "src=" in tag, f"inline <script> on {path}"
        assert " style=" not in html, f"inline style attribute on {path}"
        assert " on" + "click=" not in html.lower()


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="shop.example.com",
        SHOP_ALLOW_TEST_GATEWAY="1",
        **extra,
    )
    return env


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=_production_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    env["SECRET_KEY"] = ""
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_hsts_is_sent_over_tls_in_production():
    probe = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz', secure=True, HTTP_HOST='shop.example.com');"
        "print(r.headers.get('Strict-Transport-Security'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT, env=_production_env(DATABASE_URL="sqlite:///:memory:"),
        capture_output=True, text=True, timeout=120,
    )
    assert "max-age=31536000" in result.stdout, result.stderr[-2000:]
    assert "includeSubDomains" in result.stdout


def test_hsts_is_never_sent_over_plain_http_in_production():
    """HSTS over plain HTTP is meaningless and a browser ignores it; production redirects
    plain HTTP to HTTPS (the health check excepted), and neither answer carries it."""
    probe = (
        "import django; django.setup();"
        "from django.test import Client;"
        "host = {'HTTP_HOST': 'shop.example.com'};"
        "health = Client().get('/healthz', **host);"
        "page = Client().get('/products/', **host);"
        "print(health.status_code, health.headers.get('Strict-Transport-Security'),"
        " page.status_code, page.headers.get('Strict-Transport-Security'),"
        " page.headers.get('Location'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT, env=_production_env(DATABASE_URL="sqlite:///:memory:"),
        capture_output=True, text=True, timeout=120,
    )
    assert result.stdout.split() == ["200", "None", "301", "None",
                                     "https://shop.example.com/products/"], result.stderr[-2000:]


def test_production_refuses_the_test_payment_gateway_unless_allowed():
    env = _production_env()
    env.pop("SHOP_ALLOW_TEST_GATEWAY")
    env.pop("SHOP_PAYMENT_GATEWAY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "test gateway" in result.stderr
