"""`?next=` after signing in is a path on this site or the account page, never a URL name and
never another host (issue 11: `?next=id` answered 500, because redirect() took the word for a
URL name; a crafted link made the right password fail)."""

import pytest
from django.test import Client

from .conftest import PASSWORD


@pytest.mark.parametrize(("next_value", "expected"), [
    ("/cart/", "/cart/"),
    ("/account/orders/?page=2", "/account/orders/?page=2"),
    ("id", "/account/"),
    ("web:home", "/account/"),
    ("admin:index", "/account/"),
    ("//evil.example.com/x", "/account/"),
    ("https://evil.example.com/", "/account/"),
    ("/\\evil.example.com", "/account/"),
    ("javascript:alert(1)", "/account/"),
])
def test_sign_in_follows_next_only_to_a_path_on_this_site(ann, next_value, expected):
    client = Client()
    signed_in = client.post(f"/account/sign-in/?next={next_value}",
                            {"email": "ann@example.com", "password": PASSWORD,
                             "next": next_value})
    assert signed_in.status_code == 302
    assert signed_in["Location"] == expected
    # already signed in: the sign-in page sends on the same way, never a 500
    again = client.get("/account/sign-in/", {"next": next_value})
    assert again.status_code == 302
    assert again["Location"] == expected
