"""Marketing email: only with an explicit opt-in, stored with its date and wording; revocable
in one click from every such email, without signing in, through a page that names nobody."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from shop.privacy import consent
from shop.privacy.models import Consent
from tests.factories import create_user

from .conftest import signed_in

BASE = "https://shop.example.com"


@pytest.fixture
def ann(db):
    return create_user("annabel.lee@example.com", name="Annabel Lee")


def link_in(message) -> str:
    return re.search(r"https://shop\.example\.com(/unsubscribe/\S+/)", message.body).group(1)


def test_nobody_gets_marketing_email_without_opting_in(ann):
    assert consent.marketing_email_send(user=ann, subject="News", body="Hi", base_url=BASE) is False
    assert mail.outbox == []
    page = signed_in(ann).get(reverse("web:privacy"))
    checkbox = re.search(r'<input type="checkbox" name="subscribe"[^>]*>', page.content.decode())
    assert checkbox
    assert "checked" not in checkbox.group(0)  # never pre-ticked


def test_the_opt_in_is_stored_with_its_date_and_wording(ann):
    client = signed_in(ann)
    client.post(reverse("web:marketing_preferences"), {})  # the box left empty: no consent
    assert not Consent.objects.exists()
    client.post(reverse("web:marketing_preferences"), {"subscribe": "on"})
    record = Consent.objects.get(user=ann)
    assert record.wording == consent.marketing_wording()
    assert "unsubscribe at any time" in record.wording
    assert record.wording_version == consent.MARKETING_WORDING_VERSION
    assert record.given_at is not None
    assert record.given_via == "storefront"
    assert record.is_live
    client.post(reverse("web:marketing_preferences"), {"subscribe": "on"})  # twice: one record
    assert Consent.objects.filter(user=ann).count() == 1


def test_one_click_from_the_email_withdraws_without_signing_in(ann):
    consent.marketing_consent_give(user=ann, via="storefront")
    assert consent.marketing_email_send(user=ann, subject="New mugs", body="Look!",
                                        base_url=BASE) is True
    message = mail.outbox[-1]
    path = link_in(message)
    assert message.extra_headers["List-Unsubscribe"] == f"<{BASE}{path}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Opening the link (a person, or a mail scanner that opens every link) changes nothing:
    # a page with one button.
    page = Client().get(path)  # nobody signed in
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert '<button type="submit"' in page.content.decode()
    assert consent.marketing_consent_get(user=ann) is not None
    # the button
    response = Client(enforce_csrf_checks=True).post(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    text = response.content.decode()
    assert "You are unsubscribed" in text
    for word in (ann.email, "Annabel"):
        assert word not in text + page.content.decode()
    # anyone's valid link shows exactly the same pages
    other = create_user("someone.else@example.com", name="Someone Else")
    other_path = reverse("web:unsubscribe", args=[consent.unsubscribe_token(user=other)])
    assert Client().get(other_path).content == page.content
    assert Client().post(other_path).content == response.content
    record = Consent.objects.get(user=ann)
    assert record.withdrawn_at is not None
    assert record.withdrawn_via == "email_link"
    assert consent.marketing_email_send(user=ann, subject="More", body="x", base_url=BASE) is False
    # the record of the consent and of its withdrawal stays
    assert Consent.objects.filter(user=ann).count() == 1


def test_mail_clients_one_click_post_works_without_csrf(ann):
    consent.marketing_consent_give(user=ann, via="api")
    path = reverse("web:unsubscribe", args=[consent.unsubscribe_token(user=ann)])
    client = Client(enforce_csrf_checks=True)
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert consent.marketing_consent_get(user=ann) is None


def test_a_tampered_link_does_nothing_and_says_nothing(ann, django_user_model):
    consent.marketing_consent_give(user=ann, via="storefront")
    token = consent.unsubscribe_token(user=ann)
    response = Client().post(reverse("web:unsubscribe", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert Client().get(reverse("web:unsubscribe", args=[token[:-2] + "xx"])).status_code == 400
    assert ann.email not in response.content.decode()
    assert consent.marketing_consent_get(user=ann) is not None
    # a valid link of an erased account answers like any other valid link
    other = create_user("gone@example.com")
    gone_token = consent.unsubscribe_token(user=other)
    other.delete()
    response = Client().post(reverse("web:unsubscribe", args=[gone_token]))
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()


def test_withdrawing_on_the_privacy_page(ann):
    client = signed_in(ann)
    client.post(reverse("web:marketing_preferences"), {"subscribe": "on"})
    page = client.get(reverse("web:privacy")).content.decode()
    assert "Stop marketing emails" in page
    client.post(reverse("web:marketing_preferences"), {})
    assert consent.marketing_consent_get(user=ann) is None
    assert Consent.objects.get(user=ann).withdrawn_via == "storefront"
