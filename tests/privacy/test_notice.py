"""The privacy notice is public reference data (docs/contract.md §5): the same bytes for a visitor
and a
signed-in shopper, public cache headers, an ETag, no cookie, nothing about who asks."""

from django.test import Client
from django.urls import reverse

from tests.factories import create_user


def test_the_notice_is_the_same_for_everyone_and_cacheable(db):
    shopper = create_user("nora.notice@example.com", name="Nora Notice")
    signed_in = Client()
    signed_in.force_login(shopper)
    anonymous = Client().get(reverse("web:privacy_notice"))
    theirs = signed_in.get(reverse("web:privacy_notice"))
    assert anonymous.status_code == theirs.status_code == 200
    assert anonymous.content == theirs.content
    assert anonymous["Cache-Control"].startswith("public, max-age=")
    assert anonymous["ETag"] == theirs["ETag"]
    assert not theirs.cookies
    text = theirs.content.decode()
    assert "Nora" not in text
    assert "/api/v1/me/export" in text
    assert "90 days" in text
    again = Client().get(reverse("web:privacy_notice"), HTTP_IF_NONE_MATCH=anonymous["ETag"])
    assert again.status_code == 304
