"""HEAD is the GET of every route without the body (RFC 9110 §9.3.2): same status, same
headers, no bytes. `HEAD /privacy/` and `HEAD /api/v1/products` used to answer 405 (issue 15)."""

import pytest
from django.conf import settings
from django.test import Client

from . import soak

SAME_HEADERS = ("Content-Type", "Cache-Control", "Allow", "Vary", "Location", "ETag")


def client_for(person: soak.Person | None) -> Client:
    client = Client(raise_request_exception=False)
    if person is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = person.session
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {person.token}"
    return client


def test_every_get_route_answers_head_like_get(world):
    shopper = world.shoppers[0]
    failures, checked = [], 0
    for route in soak.all_routes():
        for url in soak.sample(soak.filled_urls(route, shopper, world), 2):
            for person in (shopper, None):
                client = client_for(person)
                got = client.get(url)
                head = client.head(url)
                checked += 1
                where = f"HEAD {url} ({route.name}): {head.status_code}, GET {got.status_code}"
                if head.status_code != got.status_code:
                    failures.append(where)
                    continue
                for name in SAME_HEADERS:
                    if name == "ETag" and got.status_code != 200:
                        continue
                    if head.get(name) != got.get(name):
                        failures.append(f"{where}: {name} {head.get(name)!r} != {got.get(name)!r}")
                if (b"".join(head.streaming_content) if head.streaming else head.content):
                    failures.append(f"{where}: a body")
    assert not failures, "\n".join(failures[:60])
    assert checked > 100


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/privacy/", "/api/v1/products", "/api/v1/categories", "/"])
def test_head_of_a_public_page_over_http_has_the_get_length_and_no_body(live_http, path, catalog):
    got = live_http.get(path, headers={"Accept-Encoding": "identity"})
    head = live_http.head(path, headers={"Accept-Encoding": "identity"})
    assert got.status_code == head.status_code == 200, (path, head.status_code)
    assert head.headers["content-length"] == str(len(got.content))
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["cache-control"] == got.headers["cache-control"]
    assert head.content == b""
