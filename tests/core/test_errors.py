"""The error contract over real HTTP (docs/contract.md §4, docs/threats.md case 20): generic
messages with a
request id, the detail only in the log under the same id, and one access line per request.
"""

import re
import uuid
from contextlib import contextmanager

from django.db import DatabaseError, connection

from tests.factories import create_user
from tests.support.http import (
    REQUEST_ID,
    assert_api_error,
    assert_no_internals,
    assert_not_shareable,
    describe,
    session_cookie_for,
)

# What Django prints when DEBUG is on, or when its own technical pages leak through.
DJANGO_DEBUG_TEXT = (
    "Page not found (404)",
    "Using the URLconf",
    "urlpatterns",
    "DEBUG = True",
    "Request Method:",
    "Django Version",
    "technical_500",
)


@contextmanager
def catalog_table_missing():
    """Break the database for real, the way a failed migration or a lost table would: the
    product table is renamed away for the duration, then put back."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE catalog_product RENAME TO catalog_product_gone")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE catalog_product_gone RENAME TO catalog_product")


def access_lines(app_log, request_id):
    return app_log.find(logger="shop.access", request_id=request_id)


BROKEN_BY_A_MISSING_TABLE = [
    "/",
    "/products/",
    "/products/organic-cotton-tee/",
    "/api/v1/products",
    "/api/v1/products/organic-cotton-tee",
]


def test_a_database_error_is_a_generic_500_and_the_log_has_the_detail(live_http, app_log, catalog):
    for path in BROKEN_BY_A_MISSING_TABLE:  # the pages work before the failure...
        assert live_http.get(path).status_code == 200, path
    with catalog_table_missing():
        failed = {path: live_http.get(path) for path in BROKEN_BY_A_MISSING_TABLE}
    for path in BROKEN_BY_A_MISSING_TABLE:  # ...and after it
        assert live_http.get(path).status_code == 200, path
    for path, response in failed.items():
        check_generic_500(app_log, path, response)


def check_generic_500(app_log, path, response):
    assert response.status_code == 500, describe(response)
    request_id = response.headers["x-request-id"]
    assert REQUEST_ID.match(request_id)
    assert request_id in response.text
    assert_no_internals(response.text, where=f"the 500 for {path}")
    assert_not_shareable(response)
    if path.startswith("/api/"):
        error = assert_api_error(response, 500, "server_error")
        assert "went wrong" in error["message"]
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert "Something went wrong" in response.text

    # The log has what the response must not: the database's own words, under the same id.
    errors = [r for r in app_log.find(request_id=request_id) if r.levelname == "ERROR"]
    assert errors, f"no ERROR record with request_id {request_id}"
    detail = "\n".join(r.rendered + "\n" + r.exception_text for r in errors)
    assert "catalog_product" in detail, detail
    assert any(r.exc_info and isinstance(r.exc_info[1], DatabaseError) for r in errors), detail
    (access,) = access_lines(app_log, request_id)
    assert access.status == 500
    assert access.path == path.split("?")[0]


def test_every_response_has_a_fresh_request_id_that_the_client_cannot_choose(live_http, catalog):
    forged = uuid.uuid4().hex
    seen = set()
    for path in (
        "/",
        "/products/organic-cotton-tee/",
        "/api/v1/products",
        "/fragments/header",
        "/healthz",
        "/no-such-page/",
        "/api/v1/nothing-here",
        "/admin/",
    ):
        for _ in range(2):
            response = live_http.get(
                path, headers={"X-Request-ID": forged, "X-Correlation-ID": forged}
            )
            request_id = response.headers.get("x-request-id", "")
            assert REQUEST_ID.match(request_id), describe(response)
            assert request_id != forged
            assert forged not in response.text
            seen.add(request_id)
    assert len(seen) == 16
    # a 304 answers with its own id too
    etag = live_http.get("/").headers["etag"]
    not_modified = live_http.get("/", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert REQUEST_ID.match(not_modified.headers["x-request-id"])
    assert not_modified.headers["x-request-id"] not in seen


def test_one_access_line_per_request(live_http, app_log, catalog):
    expectations = [
        # path, method, route, status, cache policy
        ("/products/organic-cotton-tee/", "GET", "web:product_detail", 200, "public-catalog"),
        ("/api/v1/categories", "GET", "api:category_list", 200, "public-reference"),
        ("/fragments/header", "GET", "web:header_fragment", 200, "private"),
        ("/products/does-not-exist/", "GET", "web:product_detail", 404, "private"),
        ("/api/v1/products?limit=1000", "GET", "api:product_list", 422, "private"),
        ("/no-such-page/", "GET", "", 404, "private"),
        ("/products/", "POST", "web:product_list", 403, "private"),
        ("/healthz", "HEAD", "web:healthz", 200, "private"),
    ]
    for path, method, route, status, policy in expectations:
        response = live_http.request(method, path)
        assert response.status_code == status, describe(response)
        request_id = response.headers["x-request-id"]
        lines = access_lines(app_log, request_id)
        assert len(lines) == 1, f"{method} {path}: {len(lines)} access lines"
        (line,) = lines
        assert line.levelname == "INFO"
        assert line.method == method
        assert line.path == path.split("?")[0]
        assert line.route == route
        assert line.status == status
        assert isinstance(line.duration_ms, float | int)
        assert 0 <= line.duration_ms < 10_000
        assert line.cache_policy == policy
        assert line.user_id is None
    all_access = app_log.find(logger="shop.access")
    assert len(all_access) == len(expectations)


def test_a_signed_in_access_line_has_the_user_id_and_no_email(live_http, app_log, catalog):
    user = create_user("ottoline.featherstonhaugh@example.com", name="Ottoline Featherstonhaugh")
    response = live_http.get("/fragments/header", headers={"Cookie": session_cookie_for(user)})
    assert response.status_code == 200
    assert "Ottoline" in response.text  # the request really was signed in
    (line,) = access_lines(app_log, response.headers["x-request-id"])
    assert line.user_id == user.pk
    values = " ".join(str(value) for value in vars(line).values())
    assert "ottoline" not in values.lower()
    assert "featherstonhaugh" not in values.lower()
    # On a public route the same visitor is anonymous, and so is the log line.
    public = live_http.get("/products/", headers={"Cookie": session_cookie_for(user)})
    (public_line,) = access_lines(app_log, public.headers["x-request-id"])
    assert public_line.user_id is None


def test_unknown_storefront_path_gets_the_generic_404_page(live_http, catalog):
    response = live_http.get("/no-such-page/deeper/", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "find that page" in response.text
    assert response.headers["x-request-id"] in response.text
    for text in DJANGO_DEBUG_TEXT:
        assert text not in response.text
    assert_no_internals(response.text)
    assert_not_shareable(response)


def test_unknown_api_path_gets_the_json_404(live_http, catalog):
    for path in (
        "/api/v1/nothing-here",
        "/api/v1/",
        "/api/v1/products/does-not-exist",
        "/api/v2/products",
    ):
        response = live_http.get(path, headers={"Accept": "application/json"})
        error = assert_api_error(response, 404, "not_found")
        assert not re.search(r"docs_url|/api/v1/docs", response.text), error


def test_wrong_method_on_an_api_route_gets_the_error_shape(live_http, catalog):
    response = live_http.request("DELETE", "/api/v1/products")
    assert_api_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]
