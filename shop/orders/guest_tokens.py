"""A guest order's secrets, and the link that carries one (the rules: shop/orders/guest.py).

- The order token: a keyed hash (HMAC with the shop's SECRET_KEY) of the order number and the
  GuestOrder's random nonce; the database keeps the nonce and the SHA-256 of the token, never
  the token. `guest_link` puts it in the fragment of the e-mailed link.
- The hosted-page return reference: what the provider's return links carry instead of the
  token (signed, it opens nothing by itself).

They sit here, below the checkout, because the confirmation e-mail (shop/orders/emails.py,
rendered by the outbox worker that settlement queues), the checks of shop/policy/access.py
and the erasure of shop/privacy/guest.py need them and none of those needs the checkout.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import GuestOrder

RETURN_SALT = "shop.orders.guest.hosted_return"  # (the name it was first signed with)
RETURN_MAX_AGE = 6 * 60 * 60


def order_token(*, number: str, nonce: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"guest-order:{number}:{nonce}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def order_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def order_token_of(guest: GuestOrder) -> str:
    return order_token(number=guest.order.number, nonce=guest.nonce)


def guest_link(guest: GuestOrder) -> str:
    """The e-mailed link: the order page, the number and token in the fragment (which the
    browser never sends, and which the page's script posts)."""
    path = reverse("web:guest_order")
    return f"{guest.site_url}{path}#{guest.order.number}.{order_token_of(guest)}"


def hosted_return_token(*, number: str, ref: str) -> str:
    """What the provider's return links carry instead of the order token: the order number
    and a random reference the guest's session keeps, signed. It opens nothing by itself."""
    return signing.dumps({"n": number, "r": ref}, salt=RETURN_SALT)


def hosted_return_ref(*, number: str, token: str) -> str | None:
    """The session reference a return link was made with, when it is this shop's link for
    `number` and not older than RETURN_MAX_AGE; else None."""
    try:
        data = signing.loads(token or "", salt=RETURN_SALT, max_age=RETURN_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("n") != number or not isinstance(
            data.get("r"), str):
        return None
    return str(data["r"])
