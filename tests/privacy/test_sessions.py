"""The register of signed-in sessions (shop/privacy/sessions.py) follows each session: added at
sign-in, moved when the key is cycled (password change), removed at sign-out; and
sessions_end_for ends every session of a user, in the database and the cache."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from shop.privacy.models import UserSession
from shop.privacy.sessions import sessions_end_for
from tests.factories import create_user

from .conftest import PASSWORD, fresh_ip


def sign_in(email: str) -> Client:
    client = Client(REMOTE_ADDR=fresh_ip())
    assert client.post(reverse("web:sign_in"),
                       {"email": email, "password": PASSWORD}).status_code == 302
    return client


def key_of(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_register_follows_each_session(db):
    ann = create_user("ann.sessions@example.com", PASSWORD)
    laptop, phone = sign_in(ann.email), sign_in(ann.email)
    assert set(UserSession.objects.filter(user=ann).values_list("session_key", flat=True)) == {
        key_of(laptop), key_of(phone)}

    old_key = key_of(laptop)
    response = laptop.post(reverse("web:password_change"), {
        "old_password": PASSWORD, "new_password1": "a whole new secret 9",
        "new_password2": "a whole new secret 9"})
    assert response.status_code == 302
    assert key_of(laptop) != old_key  # cycled: the register moved with it
    assert UserSession.objects.filter(session_key=key_of(laptop), user=ann).exists()
    assert not UserSession.objects.filter(session_key=old_key).exists()

    laptop.post(reverse("web:sign_out"))
    assert not UserSession.objects.filter(session_key=old_key).exists()
    assert list(UserSession.objects.filter(user=ann).values_list("session_key", flat=True)) == [
        key_of(phone)]


def test_ending_every_session_of_a_user(db):
    ann = create_user("ann.end@example.com", PASSWORD)
    bob = create_user("bob.end@example.com", PASSWORD)
    ann_devices = [sign_in(ann.email) for _ in range(3)]
    bob_device = sign_in(bob.email)
    for device in (*ann_devices, bob_device):
        assert device.get(reverse("web:account")).status_code == 200  # loaded, so cached

    assert sessions_end_for(user_id=ann.pk) == 3

    for device in ann_devices:
        key = key_of(device)
        assert not Session.objects.filter(session_key=key).exists()
        assert cache.get("django.contrib.sessions.cached_db" + key) is None
        assert device.get(reverse("web:account")).status_code == 302
    assert bob_device.get(reverse("web:account")).status_code == 200
    assert UserSession.objects.filter(user=bob).count() == 1
