"""The data export lists only what is about the shopper (issue 11): a stranger who typed the
shopper's email address into the sign-in form, or presented an old token of theirs, is not
listed by address or browser; the shopper's own requests are."""

import json

from django.test import Client

from shop.privacy.export import account_export
from tests.factories import create_user

PASSWORD = "correct horse battery staple"
STRANGER_IP = "203.0.113.77"
STRANGER_BROWSER = "StrangerBrowser/1.0"


def test_a_strangers_address_and_browser_are_not_in_the_export(db):
    ann = create_user("ann@example.com", PASSWORD, name="Ann")
    stranger = Client(REMOTE_ADDR=STRANGER_IP, HTTP_USER_AGENT=STRANGER_BROWSER)
    for n in range(3):
        stranger.post("/account/sign-in/", {"email": "ann@example.com", "password": f"x{n}"})
    # Ann herself mistypes her password on the export's confirmation, signed in
    own = Client(REMOTE_ADDR="192.0.2.5")
    own.force_login(ann)
    own.post("/account/privacy/export/", {"password": "not my password"})

    document = json.loads(b"".join(account_export(user=ann)))
    text = json.dumps(document)
    assert STRANGER_IP not in text
    assert STRANGER_BROWSER not in text
    failed = document["sign_ins"]["failed_sign_in_records"]
    assert failed
    assert set(failed[0]) == {"last_attempt_at", "failures"}
    events = document["security_events"]
    strangers = [e for e in events if not e["by_you"]]
    mine = [e for e in events if e["by_you"]]
    assert len(strangers) == 3
    assert all(e["ip"] is None and e["path"] == "" for e in strangers)
    assert [(e["ip"], e["details"].get("step")) for e in mine] == [
        ("192.0.2.5", "password_confirm")]


def test_a_path_the_shopper_asked_is_exported_as_its_route_not_with_anyones_order_number(db):
    """The soak (CI, stop 18) found Bob's order number in Ann's export: Ann, signed in, had
    asked the guest-order lookup for it until the lookup was throttled, and the export listed
    the path of that `throttled` event. The export says which page or route it was; the numbers
    typed into it are not listed (they may be anyone's)."""
    from django.conf import settings

    from tests.factories import place_order

    ann = create_user("ann@example.com", PASSWORD, name="Ann")
    bob = create_user("bob@example.com", PASSWORD, name="Bob")
    bobs = place_order(bob)
    from shop.accounts.tokens import access_token_issue

    own = Client(REMOTE_ADDR="192.0.2.5",
                 HTTP_AUTHORIZATION=f"Bearer {access_token_issue(user=ann)}")
    limit = int(settings.ACCOUNTS_THROTTLE_RATES["guest_order"]["ip"].split("/")[0])
    statuses = [own.get(f"/api/v1/guest/orders/{bobs.number}").status_code
                for _ in range(limit + 1)]
    assert statuses[-1] == 429

    document = json.loads(b"".join(account_export(user=ann)))
    assert bobs.number not in json.dumps(document)
    throttled = [e for e in document["security_events"] if e["kind"] == "throttled"]
    assert [(e["path"], e["by_you"]) for e in throttled] == [
        ("/api/v1/guest/orders/{number}", True)]
