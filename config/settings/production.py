"""Production: every secret from the environment, HTTPS everywhere, nothing guessed."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    SHOP_PAYMENT_GATEWAY,
    SILENCED_SYSTEM_CHECKS,
    STRIPE_GATEWAY,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    env_bool,
    env_list,
)

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set (at least 50 characters) in production.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production.")

# Anything that must agree between two requests is kept where every process sees it. A cache
# in one process's memory would be a second truth per worker: refuse to start with one.
PER_PROCESS_CACHES = ("django.core.cache.backends.locmem.LocMemCache",
                      "django.core.cache.backends.dummy.DummyCache")
for _alias, _cache in CACHES.items():  # noqa: F405
    if _cache["BACKEND"] in PER_PROCESS_CACHES:
        raise ImproperlyConfigured(
            f"CACHES[{_alias!r}] is {_cache['BACKEND']}: every worker process would keep its "
            "own copy. Set REDIS_URL, or use the default shared file cache."
        )
if SESSION_ENGINE not in ("shop.privacy.sessions", "django.contrib.sessions.backends.db"):  # noqa: F405
    raise ImproperlyConfigured("Sessions must live in the database (shop.privacy.sessions).")

# TLS ends at nginx, which sets X-Forwarded-Proto (deploy/nginx.conf).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# ... and X-Forwarded-For: believed only from these addresses (shop/monitoring/client.py), so
# that throttles and lockouts see shoppers, not nginx. Set it for a proxy on another host.
TRUSTED_PROXY = os.environ.get("TRUSTED_PROXY", "127.0.0.1,::1")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Submitting a domain to the browsers' HSTS preload list binds every subdomain for years: the
# operator opts in with SECURE_HSTS_PRELOAD=1; until then check --deploy need not remind us.
SILENCED_SYSTEM_CHECKS = [
    *SILENCED_SYSTEM_CHECKS, *([] if SECURE_HSTS_PRELOAD else ["security.W021"])
]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-bfm_session"
CSRF_COOKIE_NAME = "__Host-bfm_csrftoken"
SHOP_PRIVATE_VERSION_COOKIE = "__Host-bfm_pv"

# The built-in test gateway approves card 4242 4242 4242 4242 without taking money: in
# production it would hand out goods for free. It runs only when the operator says so
# (a staging shop, `make serve`, `make bench`).
TEST_PAYMENT_GATEWAY = "shop.orders.payments.test_gateway.TestGateway"
if SHOP_PAYMENT_GATEWAY == TEST_PAYMENT_GATEWAY and not env_bool("SHOP_ALLOW_TEST_GATEWAY"):
    raise ImproperlyConfigured(
        "SHOP_PAYMENT_GATEWAY is the test gateway, which approves test cards without charging: "
        "set a real gateway, or SHOP_ALLOW_TEST_GATEWAY=1 for a shop that takes no real money."
    )

if SHOP_PAYMENT_GATEWAY == STRIPE_GATEWAY and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
    raise ImproperlyConfigured(
        "SHOP_PAYMENT_GATEWAY is Stripe: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET (the "
        "signing secret of the webhook endpoint /webhooks/stripe)."
    )

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
