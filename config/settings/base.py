"""Settings shared by every environment. Everything that varies comes from the environment.

local.py, test.py and production.py import this module and change only what differs.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("SHOP_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Django's admin, for admins (superusers) only: shop/staff/admin_site.py
    "shop.staff.admin_site.ShopAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "axes",
    # the outbox: tasks written in the change's transaction, run by `manage.py db_worker`
    "django_tasks",
    "django_tasks_db",
    "shop.core",
    "shop.policy",
    "shop.accounts",
    "shop.monitoring",
    "shop.catalog",
    "shop.shipping",
    "shop.taxes",
    "shop.cart",
    "shop.discounts",
    "shop.orders",
    # export, erasure, consent, retention (docs/privacy.md)
    "shop.privacy",
    "shop.staff",
    "shop.web",
    "shop.api",
    "shop.dashboard",
    # demo and seed data and their commands; nothing imports it
    "shop.demo",
]

# The order matters and is the same in every environment (tests run exactly this list):
# - RequestContextMiddleware is outermost: request id, one JSON log line, generic errors.
# - CachePolicyMiddleware runs before sessions and auth, so that a public route has its
#   cookies and credentials removed before anything can read them, and after them on the
#   way out, so that it has the last word on Cache-Control and Set-Cookie.
MIDDLEWARE = [
    "shop.core.middleware.RequestContextMiddleware",
    # Request metrics (route, status, latency, cache policy) and the client context for
    # security events; sees the final response (shop/monitoring/middleware.py).
    "shop.monitoring.middleware.MonitoringMiddleware",
    # HEAD answered as the GET of every route, without the body (shop/core/middleware.py).
    "shop.core.middleware.HeadAsGetMiddleware",
    # HTTPS redirect, HSTS, nosniff, Referrer-Policy, COOP, X-Frame-Options and the CSP, built
    # once from the settings below and set in one pass (Django's SecurityMiddleware,
    # XFrameOptionsMiddleware and django-csp's middleware in one; shop/core/security_headers.py).
    "shop.core.security_headers.SecurityHeadersMiddleware",
    "shop.policy.middleware.CachePolicyMiddleware",
    "shop.api.middleware.ApiErrorShapeMiddleware",
    # ...and outside the API, an error without a body gets the error page (a GET's 405).
    "shop.core.middleware.EmptyErrorPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.principal: the bearer token under /api/, the session elsewhere, never both.
    "shop.accounts.middleware.PrincipalMiddleware",
    # The version cookie of the private sections (shop/web/private.py): changes with the
    # session and the cart, so cached pages know when to ask who is signed in.
    "shop.web.private.PrivateVersionMiddleware",
    # Turns a django-axes lockout seen by any authenticate() call (the admin's too) into a 429.
    "axes.middleware.AxesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Innermost, after everything that decides who is asking: checks every owned object
    # loaded for the request against that principal (shop/policy/ownership.py).
    "shop.policy.ownership.OwnershipGuardMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.media",
                "django.template.context_processors.static",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shop.web.context_processors.shop",
            ],
        },
    },
]

# --- Database: SQLite file by default, PostgreSQL (or anything dj-database-url reads) when set.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=600, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several app-server workers share one file: writers queue on an IMMEDIATE lock with a
    # busy timeout instead of failing with "database is locked"; WAL lets readers go on.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            ),
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache. Nothing the shop must get right lives only in the cache: sessions, token
# revocations, throttle and alert counters are in the database, which every worker on every
# machine shares. The cache is an accelerator: Redis when REDIS_URL is set (unreachable Redis =
# an empty cache, never an error: shop/core/cache.py), else files under var/cache, shared by
# every process on this machine. Never per-process memory: production refuses it. Every key
# comes from shop/core/cache_keys.py.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "shop.core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "bfm",
            # a dead or unreachable Redis costs a request at most these timeouts, once per
            # shop.core.cache.RETRY_AFTER seconds
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Sessions live in the database (read on every request: the one copy every worker sees), plus
# a register of each user's signed-in sessions, so that an account erasure ends them all at
# once (shop/privacy/sessions.py).
SESSION_ENGINE = "shop.privacy.sessions"
SESSION_COOKIE_NAME = "bfm_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_NAME = "bfm_csrftoken"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# The private sections' version (shop/web/private.py): readable by the header's script, it
# holds a random version and nothing personal.
SHOP_PRIVATE_VERSION_COOKIE = "bfm_pv"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses locked-out accounts and addresses before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Accounts: tokens, throttling, the client address (shop/accounts, shop/monitoring/client.py)
# The client address is REMOTE_ADDR. Behind a reverse proxy, set TRUSTED_PROXY to its
# address(es) or networks (comma-separated): only then is X-Forwarded-For believed, and only
# from those addresses.
TRUSTED_PROXY = os.environ.get("TRUSTED_PROXY", "")
# Base of the links in account emails (password reset, email verification), e.g.
# https://shop.example.com; empty: the request's own host (validated by ALLOWED_HOSTS).
SHOP_SITE_URL = os.environ.get("SHOP_SITE_URL", "")

# JWT access tokens (HS256 only) and opaque refresh tokens: shop/accounts/tokens.py.
# Without JWT_SIGNING_KEY the key is derived from SECRET_KEY with its own salt.
JWT_SIGNING_KEY = os.environ.get("JWT_SIGNING_KEY", "")
JWT_ISSUER = "buy-from-me"
JWT_AUDIENCE = "buy-from-me-api"
JWT_ACCESS_TOKEN_LIFETIME = 10 * 60  # seconds
JWT_REFRESH_TOKEN_LIFETIME = 14 * 24 * 60 * 60  # seconds

# Attempt caps per client address ("ip") and per account (the email address), counted in the
# database before any password is checked (shop/core/counters.py: every worker and machine adds
# to one count, so they hold under a parallel burst, with or without Redis).
# Rates are "<count>/<period>" (s, m, h, d; "15m" = 15 minutes).
ACCOUNTS_THROTTLE_RATES = {
    "signin": {"account": "10/15m", "ip": "30/15m"},  # storefront sign-in and API /auth/token
    "register": {"account": "5/h", "ip": "10/h"},
    "password_reset": {"account": "3/h", "ip": "10/h"},
    "refresh": {"ip": "60/15m"},
    "verify_email": {"account": "3/h"},
    "password_change": {"account": "10/15m"},  # the old password is a guess too
    # privacy: the password that confirms an export or an erasure is a guess too; exports are
    # heavy (shop/privacy/services.py). Accounts are counted by user id here.
    "password_confirm": {"account": "10/15m"},
    "data_export": {"account": "10/h"},
    # guest checkout (shop/api/guest.py, shop/web/views/guest.py): per e-mail address and
    # per client address; order lookups by token per client address; claim links per account
    "guest_checkout": {"account": "10/h", "ip": "30/h"},
    "guest_order": {"ip": "60/10m"},
    "guest_claim": {"account": "3/h"},
}

# Failed sign-ins (django-axes, database handler): 5 failures lock that account *from that
# address* for 15 minutes (OWASP: lock the pair, so that an attacker cannot keep the owner,
# or an admin, out; the per-account attempt cap above slows guessing from many addresses).
# Reset: admin or `axes_reset`; a completed password reset lifts the account's locks.
AXES_ENABLED = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "email"
AXES_USERNAME_CALLABLE = "shop.accounts.throttle.axes_username"
AXES_CLIENT_IP_CALLABLE = "shop.accounts.throttle.throttle_address"  # IPv6: per /64
AXES_LOCKOUT_CALLABLE = "shop.accounts.throttle.axes_lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in the access log already
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
AXES_HTTP_RESPONSE_CODE = 429

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600

# --- Security headers (shop/core/security_headers.py). HTTPS-only ones live in production.
# Django's deploy checks W001 and W002 only look for SecurityMiddleware and
# XFrameOptionsMiddleware in MIDDLEWARE; SecurityHeadersMiddleware replaces both and runs
# Django's checks of these settings itself (HSTS, nosniff, SSL redirect, X-Frame-Options DENY,
# Referrer-Policy, COOP, under Django's ids), and warns (shop.W001/W002) when neither it nor
# Django's middleware is installed. Only the two class-name checks are silenced.
SILENCED_SYSTEM_CHECKS = ["security.W001", "security.W002"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): no inline script anywhere, no third-party origin. No
# nonces: public pages must be the same bytes for everyone. The API docs page relaxes styles
# only (shop/api/api.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
CSRF_FAILURE_VIEW = "shop.monitoring.views.csrf_failure"  # the generic 403 + a probe event
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Buy_From_Me <shop@example.com>")

# --- Shop
SHOP_NAME = "Buy_From_Me"
SHOP_CURRENCY = "EUR"
SHOP_API_MAX_LIMIT = 100
SHOP_PAGE_SIZE = 24

# Cart and checkout (shop/cart, shop/orders)
SHOP_FREE_SHIPPING_OVER = "75.00"  # standard delivery free from this subtotal (after discounts)
# Taxes (shop/taxes, docs/orders.md): catalog prices include VAT (EU/UK B2C); US/CA sales tax
# is added on top. A cart with no address yet is priced for the shop's home country.
SHOP_PRICES_INCLUDE_TAX = os.environ.get("SHOP_PRICES_INCLUDE_TAX", "1") not in ("0", "false", "")
SHOP_HOME_COUNTRY = os.environ.get("SHOP_HOME_COUNTRY", "DE")
SHOP_PAYMENT_GATEWAY = os.environ.get(
    "SHOP_PAYMENT_GATEWAY", "shop.orders.payments.test_gateway.TestGateway"
)

# Stripe (shop/orders/payments/stripe_gateway.py), when SHOP_PAYMENT_GATEWAY names it: the
# secret API key, the webhook endpoint's signing secret (POST /webhooks/stripe), and where
# Stripe's hosted Checkout page lives (the only place the storefront's forms may lead to).
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
STRIPE_CHECKOUT_ORIGIN = os.environ.get("STRIPE_CHECKOUT_ORIGIN", "https://checkout.stripe.com")
STRIPE_TIMEOUT = float(os.environ.get("STRIPE_TIMEOUT", "20"))
STRIPE_GATEWAY = "shop.orders.payments.stripe_gateway.StripeGateway"
if SHOP_PAYMENT_GATEWAY == STRIPE_GATEWAY:
    # The storefront sends the shopper to Stripe's page to pay (a redirect after a form's
    # POST: browsers check it against form-action).
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(STRIPE_CHECKOUT_ORIGIN)

# The outbox (shop/orders/tasks.py): order e-mails are task rows in the database, written in
# the same transaction as the change, delivered by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

NINJA_PAGINATION_MAX_LIMIT = SHOP_API_MAX_LIMIT

# Privacy (shop/privacy, docs/privacy.md): client addresses in security and audit records,
# and django-axes' sign-in failure records, are dropped after this many days by
# `manage.py purge_personal_data` (run daily).
SHOP_IP_RETENTION_DAYS = int(os.environ.get("SHOP_IP_RETENTION_DAYS", "90"))
# How long a password confirmation on the storefront opens the data export.
SHOP_PRIVACY_CONFIRM_SECONDS = 5 * 60

# --- Staff dashboard and monitoring (shop/dashboard, shop/staff, shop/monitoring;
# docs/monitoring.md)
SHOP_LOW_STOCK_THRESHOLD = int(os.environ.get("SHOP_LOW_STOCK_THRESHOLD", "5"))
# The gauges /metrics reads from the database at scrape time, each from the app that owns the
# data (shop/monitoring/metrics.py knows no other app's models).
SHOP_METRIC_GAUGES = [
    "shop.orders.gauges.orders_by_status",
    "shop.monitoring.gauges.open_alerts",
    "shop.monitoring.gauges.dependencies",
    "shop.catalog.gauges.low_stock",
]
# Security alerts are POSTed here as JSON (Slack/PagerDuty/Datadog relay, SIEM); empty: none.
SHOP_ALERT_WEBHOOK_URL = os.environ.get("SHOP_ALERT_WEBHOOK_URL", "")
SHOP_ALERT_WEBHOOK_SECRET = os.environ.get("SHOP_ALERT_WEBHOOK_SECRET", "")  # HMAC signature
SHOP_ALERT_WEBHOOK_TIMEOUT = float(os.environ.get("SHOP_ALERT_WEBHOOK_TIMEOUT", "3"))
SHOP_ALERT_WEBHOOK_ATTEMPTS = int(os.environ.get("SHOP_ALERT_WEBHOOK_ATTEMPTS", "4"))
SHOP_ALERT_WEBHOOK_BACKOFF = float(os.environ.get("SHOP_ALERT_WEBHOOK_BACKOFF", "1"))
# /metrics (Prometheus): with a token, only `Authorization: Bearer <token>`; without one,
# loopback clients that did not come through a proxy.
SHOP_METRICS_TOKEN = os.environ.get("SHOP_METRICS_TOKEN", "")

# --- Logging: one JSON object per line on stderr; every line carries the request id.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOG_FILE = os.environ.get("LOG_FILE", "")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "shop.core.logging.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "shop.core.logging.JsonFormatter",  # python-json-logger (orjson), faster
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_context"],
        },
        **(
            {
                "file": {
                    "class": "logging.FileHandler",
                    "filename": LOG_FILE,
                    "formatter": "json",
                    "filters": ["request_context"],
                }
            }
            if LOG_FILE
            else {}
        ),
    },
    "root": {"handlers": ["console", *(["file"] if LOG_FILE else [])], "level": LOG_LEVEL},
    "loggers": {
        # Our RequestContextMiddleware writes the one access line; Django's own request
        # logger would repeat 4xx lines, so it only reports errors (with their trace).
        "django.request": {"level": "ERROR", "propagate": True},
        "django.server": {"level": "WARNING", "propagate": True},
    },
}
