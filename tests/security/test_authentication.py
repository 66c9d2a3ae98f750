"""docs/threats.md cases 7-11, authentication: the tests that were missing.

Elsewhere (docs/security.md has the whole map): JWT attacks (tests/accounts/test_jwt_attacks.py),
revocation and rotation (tests/accounts/test_api_tokens.py, test_storefront.py), session
fixation and cookie flags (tests/accounts/test_storefront.py), throttling under a parallel
burst and identical failures (tests/accounts/test_throttling.py).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import Client

from shop.accounts.tokens import access_token_issue
from tests.factories import create_user

ROOT = Path(__file__).resolve().parents[2]
REQUEST_ID = 32


def operations(client: Client):
    """(method, path, needs a user) for every operation of the published OpenAPI schema."""
    schema = client.get("/api/v1/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            filled = path.replace("{number}", "BFM-2222222222").replace("{sku}", "SKU-X")
            filled = filled.replace("{slug}", "no-such-product")
            yield method.upper(), filled, bool(operation.get("security"))


def test_case_07_every_api_route_answers_401_with_www_authenticate(db, settings):
    """Every operation the schema marks as needing a user, asked with no credential, a
    malformed one, another scheme, an expired token, the token of a deleted account, or only a
    session cookie (the API ignores sessions): 401, `WWW-Authenticate: Bearer`, the error
    shape, `no-store`; never the operation's answer, never a 403 or 500."""
    ghost = create_user("ghost.account@example.com")
    deleted_token = access_token_issue(user=ghost)
    ghost.delete()
    live = create_user("expired.token@example.com")
    settings.JWT_ACCESS_TOKEN_LIFETIME = -60
    expired_token = access_token_issue(user=live)
    settings.JWT_ACCESS_TOKEN_LIFETIME = 600
    session = Client()
    session.force_login(live)
    credentials = {
        "none": {},
        "empty bearer": {"HTTP_AUTHORIZATION": "Bearer "},
        "garbage": {"HTTP_AUTHORIZATION": "Bearer not.a.jwt"},
        "basic": {"HTTP_AUTHORIZATION": "Basic Z2hvc3Q6cGFzc3dvcmQ="},
        "expired": {"HTTP_AUTHORIZATION": f"Bearer {expired_token}"},
        "deleted account": {"HTTP_AUTHORIZATION": f"Bearer {deleted_token}"},
        "session only": {
            "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}="
                           f"{session.cookies[settings.SESSION_COOKIE_NAME].value}"
        },
    }
    client = Client(raise_request_exception=False)
    failures, protected = [], 0
    for method, path, needs_user in operations(client):
        if not needs_user:
            continue
        protected += 1
        for name, headers in credentials.items():
            response = client.generic(method, path, "{}", content_type="application/json",
                                      **headers)
            where = f"{method} {path} with {name} -> {response.status_code}"
            if response.status_code != 401:
                failures.append(where)
                continue
            if not response.get("WWW-Authenticate", "").startswith("Bearer"):
                failures.append(f"{where}: WWW-Authenticate {response.get('WWW-Authenticate')}")
            body = json.loads(response.content)
            if set(body) != {"error"} or len(body["error"].get("request_id", "")) != REQUEST_ID:
                failures.append(f"{where}: {body}")
            if response["Cache-Control"] != "private, no-store":
                failures.append(f"{where}: {response['Cache-Control']}")
    assert not failures, "\n".join(failures)
    # me, me/export, erase, logout, cart x4, checkout, orders x2, staff API x4 at least
    assert protected >= 14, protected


def _production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production",
               SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="shop.example.com",
               DATABASE_URL="sqlite:///:memory:", REDIS_URL="", LOG_LEVEL="ERROR",
               SHOP_ALLOW_TEST_GATEWAY="1")
    return env


SIGN_IN_OVER_TLS = """
import json
import django
django.setup()
from django.conf import settings
# no collectstatic here: the manifest storage would have no manifest to read
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from shop.accounts.models import User
User.objects.create_user(email="tls@example.com", password="a long passphrase 42", name="T")
client = Client()
host = {"HTTP_HOST": "shop.example.com"}
form = client.get("/account/sign-in/", secure=True, **host)
plain = Client().get("/account/sign-in/", **host)
signed_in = client.post("/account/sign-in/", {"email": "tls@example.com",
                        "password": "a long passphrase 42"}, secure=True, **host)
cookies = {}
for response in (form, signed_in):
    for name, morsel in response.cookies.items():
        cookies[name] = {key: morsel[key] for key in ("secure", "httponly", "samesite", "path",
                                                      "domain")}
print(json.dumps({"status": signed_in.status_code, "plain": plain.status_code,
                  "location": plain.get("Location", ""), "cookies": cookies}))
"""


def test_case_10_cookies_are_secure_and_host_only_behind_tls():
    """Under the production settings, behind TLS: the session and CSRF cookies are `Secure`,
    `HttpOnly`, `SameSite=Lax`, named `__Host-` (so: no Domain, Path=/), and plain HTTP is
    redirected to HTTPS before any cookie is set."""
    result = subprocess.run([sys.executable, "-c", SIGN_IN_OVER_TLS], cwd=ROOT,
                            env=_production_env(), capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 302, outcome
    assert outcome["plain"] == 301, outcome
    assert outcome["location"].startswith("https://shop.example.com/"), outcome
    cookies = outcome["cookies"]
    # + the private sections' version (shop/web/private.py): readable by scripts on purpose,
    # it holds a random version and nothing personal (tests/web/test_private_sections.py)
    assert set(cookies) == {"__Host-bfm_session", "__Host-bfm_csrftoken", "__Host-bfm_pv"}, cookies
    for name, flags in cookies.items():
        assert flags["secure"] is True, (name, flags)
        assert bool(flags["httponly"]) is (name != "__Host-bfm_pv"), (name, flags)
        assert flags["samesite"] == "Lax", (name, flags)
        assert flags["path"] == "/", (name, flags)
        assert not flags["domain"], (name, flags)
    assert settings.SESSION_COOKIE_HTTPONLY  # and the same flags in every environment
