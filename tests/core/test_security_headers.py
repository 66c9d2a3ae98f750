"""shop/core/security_headers.py: the exact header set of every kind of response, through the
whole middleware stack, as Django's SecurityMiddleware, XFrameOptionsMiddleware and the CSP
middleware sent them; views keep the headers they set; the deploy checks still run.

Header values are compared exactly; order is not (the one middleware sets them in one pass).
X-Frame-Options now also reaches the responses made by middleware that sat outside Django's
clickjacking middleware (304, the slash redirect, the shaped 405s): marked below.
"""

import pytest
from csp.utils import build_policy
from django.core.checks import run_checks
from django.http import HttpResponse
from django.test import Client
from django.urls import path
from django.views.decorators.clickjacking import xframe_options_exempt, xframe_options_sameorigin

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as shop_urlpatterns
from shop.core.security_headers import MIDDLEWARE, check_security_headers

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def boom(request):
    raise RuntimeError("boom")


@xframe_options_exempt
def exempt(request):
    return HttpResponse("framed anywhere")


@xframe_options_sameorigin
def own_headers(request):
    response = HttpResponse("own")
    response["Referrer-Policy"] = "no-referrer"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


urlpatterns = [
    path("__boom", boom),
    path("__exempt", exempt),
    path("__own", own_headers),
    *shop_urlpatterns,
]

VOLATILE = {"X-Request-ID", "ETag", "Content-Length"}
PUBLIC_CATALOG = "public, max-age=60, s-maxage=300, stale-while-revalidate=60"
PUBLIC_REFERENCE = "public, max-age=300, s-maxage=3600, stale-while-revalidate=300"
PRIVATE = {"Cache-Control": "private, no-store", "Vary": "Cookie, Authorization"}
HTML = "text/html; charset=utf-8"


def security(csp: str | None = None, *, frame: bool = True) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": csp or build_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "X-Request-ID": "*",
    }
    if frame:
        headers["X-Frame-Options"] = "DENY"
    return headers


def public(cache_control: str, content_type: str = HTML) -> dict[str, str]:
    return {"Content-Type": content_type, "Content-Length": "*", "Cache-Control": cache_control,
            "Vary": "Accept-Encoding", "ETag": "*", **security()}


def seen(response) -> dict[str, str]:
    return {k: "*" if k in VOLATILE else v for k, v in response.headers.items()}


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


CASES = {
    "public page": ("GET", "/products/", public(PUBLIC_CATALOG)),
    "public page, HEAD": ("HEAD", "/products/", public(PUBLIC_CATALOG)),
    "public reference page": ("GET", "/privacy/", public(PUBLIC_REFERENCE)),
    "API JSON": ("GET", "/api/v1/products",
                 public(PUBLIC_CATALOG, "application/json; charset=utf-8")),
    "private page": ("GET", "/cart/",
                     {"Content-Type": HTML, "Content-Length": "*", **PRIVATE, **security()}),
    "redirect": ("GET", "/account/", {
        "Content-Type": HTML, "Content-Length": "*", **PRIVATE, **security(),
        "Location": "/account/sign-in/?next=%2Faccount%2F"}),
    "404": ("GET", "/no-such-page/",
            {"Content-Type": HTML, "Content-Length": "*", **PRIVATE, **security()}),
    "API 404": ("GET", "/api/v1/nope", {
        "Content-Type": "application/json", "Content-Length": "*", **PRIVATE, **security()}),
    "500": ("GET", "/__boom", {"Content-Type": HTML, "Content-Length": "*", **PRIVATE,
                               **security()}),
    "health": ("GET", "/healthz", {
        "Content-Type": "application/json", "Content-Length": "*", **PRIVATE, **security()}),
    # Made outside Django's clickjacking middleware: X-Frame-Options is new on these.
    "slash redirect": ("GET", "/products", {
        "Content-Type": HTML, "Location": "/products/", **PRIVATE, **security()}),
    "API 405": ("POST", "/api/v1/products", {
        "Content-Type": "application/json", "Allow": "GET", **PRIVATE, **security()}),
    "page 405": ("PUT", "/cart/", {"Content-Type": HTML, "Allow": "GET", **PRIVATE,
                                   **security()}),
}


@pytest.mark.parametrize("kind", CASES)
def test_each_kind_of_response_gets_exactly_the_security_headers(anonymous, catalog, kind):
    method, url, expected = CASES[kind]
    assert seen(anonymous.generic(method, url)) == expected


def test_a_not_modified_answer_keeps_the_headers(anonymous, catalog):
    etag = anonymous.get("/products/")["ETag"]
    response = anonymous.get("/products/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    expected = public(PUBLIC_CATALOG)
    del expected["Content-Length"]
    assert seen(response) == expected


def test_a_view_that_changes_the_policy_gets_django_csps_header(anonymous):
    response = anonymous.get("/api/v1/docs")
    assert response.status_code == 200
    expected = public(PUBLIC_REFERENCE)
    expected["Content-Security-Policy"] = build_policy(
        update={"style-src": ["'unsafe-inline'"]})
    assert seen(response) == expected


def test_headers_a_view_set_are_kept_and_an_exempt_view_has_no_frame_header(anonymous):
    own = anonymous.get("/__own")
    assert own["X-Frame-Options"] == "SAMEORIGIN"
    assert own["Referrer-Policy"] == "no-referrer"
    assert own["Content-Security-Policy"] == "default-src 'none'"
    assert own["X-Content-Type-Options"] == "nosniff"
    exempt = anonymous.get("/__exempt")
    assert "X-Frame-Options" not in exempt
    assert exempt["Content-Security-Policy"] == build_policy()


@pytest.fixture
def behind_tls(settings):
    """The production settings of the headers (config/settings/production.py)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return {"HTTP_X_FORWARDED_PROTO": "https"}


def test_over_tls_every_response_adds_hsts(behind_tls, anonymous, catalog):
    hsts = {"Strict-Transport-Security": "max-age=31536000; includeSubDomains"}
    assert seen(anonymous.get("/products/", **behind_tls)) == {**public(PUBLIC_CATALOG), **hsts}
    assert seen(anonymous.get("/no-such-page/", **behind_tls)) == {
        "Content-Type": HTML, "Content-Length": "*", **PRIVATE, **security(), **hsts}


def test_plain_http_is_redirected_with_securitymiddlewares_headers_only(behind_tls, anonymous):
    response = anonymous.get("/products/?page=2")
    assert response.status_code == 301
    assert seen(response) == {
        "Content-Type": HTML, "Location": "https://testserver/products/?page=2",
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin", "X-Request-ID": "*"}
    health = anonymous.get("/healthz")  # exempt: answered over plain HTTP, without HSTS
    assert health.status_code == 200
    assert seen(health) == {"Content-Type": "application/json", "Content-Length": "*",
                            **PRIVATE, **security()}


def test_changed_settings_are_followed(anonymous, settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.X_FRAME_OPTIONS = "sameorigin"
    settings.SECURE_REFERRER_POLICY = "no-referrer, same-origin"
    response = anonymous.get("/healthz")
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Referrer-Policy"] == "no-referrer,same-origin"


def _ids(messages) -> set[str]:
    return {message.id for message in messages}


def test_the_deploy_checks_of_the_replaced_middleware_still_run(settings):
    settings.SECURE_HSTS_SECONDS = 0
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_CONTENT_TYPE_NOSNIFF = False
    settings.X_FRAME_OPTIONS = "SAMEORIGIN"
    settings.SECURE_REFERRER_POLICY = "sometimes"
    settings.SECURE_CROSS_ORIGIN_OPENER_POLICY = "anything"
    found = _ids(run_checks(include_deployment_checks=True))
    assert {"security.W004", "security.W006", "security.W008", "security.W019",
            "security.E023", "security.E024"} <= found
    settings.SECURE_HSTS_SECONDS = 60
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = False
    settings.SECURE_REFERRER_POLICY = None
    assert {"security.W005", "security.W021", "security.W022"} <= _ids(check_security_headers())


def test_without_any_security_middleware_the_check_warns(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    assert _ids(check_security_headers()) == {"shop.W001", "shop.W002"}
