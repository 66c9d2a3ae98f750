"""Two shoppers with everything a shopper can have at the shop (orders with lines and
payments, addresses, a cart, a consent, security and audit events), each full of strings that
only they have: whatever one of them sees, none of the other's strings may be in it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from django.test import Client

from shop.accounts.models import Address, User
from shop.accounts.tokens import access_token_issue, token_pair_issue
from shop.cart.models import Cart, CartLine
from shop.monitoring.models import AuditEvent, SecurityEvent
from shop.privacy.consent import marketing_consent_give
from tests.factories import create_user, place_order
from tests.support.api import api_call as shared_api_call

from .support import SHOPPER_ORDER

PASSWORD = "correct horse battery staple"
_ips = itertools.count(1)


def fresh_ip() -> str:
    n = next(_ips)
    return f"10.77.{(n >> 8) & 255}.{n & 255}"


@pytest.fixture(autouse=True)
def _clean(empty_cache, shipping_methods):
    return shipping_methods


@dataclass
class Person:
    user: User
    words: tuple[str, ...]  # strings only this person's data contains
    orders: list = field(default_factory=list)

    @property
    def email(self) -> str:
        return self.user.email


def make_person(*, email: str, name: str, street: str, town: str, recipient: str,
                catalog, cart_variant) -> Person:
    user = create_user(email, PASSWORD, name=name)
    Address.objects.create(user=user, name=recipient, line1=f"1 {street}", city=town,
                           postal_code="ZZ1 1ZZ", country="GB", is_default=True)
    Address.objects.create(user=user, name=name, line1=f"2 {street}", city=town,
                           postal_code="ZZ1 1ZZ", country="FR")
    variant = catalog.tee.variants.first()
    orders = [
        place_order(user, variant=variant, name=recipient, line1=f"1 {street}", city=town,
                    days_ago=3, **SHOPPER_ORDER),
        place_order(user, variant=variant, name=name, line1=f"2 {street}", city=town,
                    **SHOPPER_ORDER),
    ]
    cart = Cart.objects.create(user=user)
    CartLine.objects.create(cart=cart, variant=cart_variant, sku=cart_variant.sku,
                            name=cart_variant.product.name, quantity=3)
    marketing_consent_give(user=user, via="storefront")
    SecurityEvent.objects.create(kind="signin_failed", user_id=user.pk, ip=fresh_ip(),
                                 path="/api/v1/auth/token", details={"reason": town})
    AuditEvent.objects.create(actor_id=None, actor_role="support", action="order.read",
                              object_type="order", object_id=orders[0].number,
                              customer_id=user.pk, via="dashboard")
    return Person(user=user, words=(email, name, street, town, recipient, cart_variant.sku,
                                    *(o.number for o in orders)), orders=orders)


@pytest.fixture
def people(catalog):
    """Alice and Bob, each with two orders, two addresses, a cart, a consent and events."""
    alice = make_person(
        email="ottoline.vexworth@example.com", name="Ottoline Vexworth",
        street="Marrowbone Lane", town="Pennywhistle", recipient="Hesper Vexworth",
        catalog=catalog, cart_variant=catalog.mug.variants.first(),
    )
    bob = make_person(
        email="barnaby.quelch@example.com", name="Barnaby Quelch",
        street="Tallowmere Road", town="Grimsditch", recipient="Agatha Quelch",
        catalog=catalog, cart_variant=catalog.hoodie.variants.first(),
    )
    return alice, bob


def bearer(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {access_token_issue(user=user)}"}


def api_call(client: Client, method: str, path: str, body=None, *, token: str | None = None,
             ip: str | None = None):
    """tests.support.api.api_call from an address of its own (per-address limits)."""
    return shared_api_call(client, method, path, body, token=token, clear_cookies=True,
                           REMOTE_ADDR=ip or fresh_ip())


def signed_in(user: User) -> Client:
    client = Client(REMOTE_ADDR=fresh_ip())
    client.force_login(user)
    return client


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


__all__ = ["PASSWORD", "api_call", "bearer", "body_of", "place_order", "signed_in",
           "token_pair_issue"]
