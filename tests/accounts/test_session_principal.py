"""shop/accounts/middleware.py: without a session key the principal is anonymous and the
session is left unread; with one, the session decides as before."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from shop.accounts.middleware import principal_from_session
from shop.accounts.principal import ANONYMOUS
from tests.factories import create_user

pytestmark = pytest.mark.django_db


def test_no_session_cookie_is_anonymous_without_reading_the_session(client):
    response = client.get("/healthz")
    request = response.wsgi_request
    assert request.principal is ANONYMOUS
    assert request.session.accessed is False
    assert response["Vary"] == "Cookie, Authorization"
    assert not request.user.is_authenticated  # the lazy user, read later, agrees


def test_a_signed_in_session_is_still_the_principal(client):
    user = create_user("ada@example.com")
    client.force_login(user)
    request = client.get("/healthz").wsgi_request
    assert request.principal.user == user
    assert request.principal.via == "session"


def test_a_user_set_on_the_request_is_not_skipped():
    user = create_user("grace@example.com")
    request = RequestFactory().get("/healthz")
    request.session = SessionStore()
    request.user = user
    assert principal_from_session(request).user == user
