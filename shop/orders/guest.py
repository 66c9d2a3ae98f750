"""Guest checkout: an order placed without an account, and the secret that opens it.

Placing (`guest_place_order`) is the shopper's checkout (shop/orders/services.py) with the
guest's items instead of a cart and an e-mail address instead of a user: the same stock
taking, the same `charging` Payment row committed before the gateway is called, the same
settlement (shop/orders/settlement.py), the same confirmation e-mail through the outbox. A
declined card leaves nothing behind (402); the same Idempotency-Key from the same e-mail
address returns the same order.

The order token (made in shop/orders/guest_tokens.py). Each guest order gets a random nonce;
the token is a keyed hash (HMAC with the shop's SECRET_KEY) of the order number and that
nonce. The database keeps the nonce and the SHA-256 of the token, never the token: a copy of
the database alone opens no order. The shop can give the same token again where it must
(the confirmation e-mail, rendered later by the outbox worker; an idempotent replay of the
checkout). A token is checked against the stored hash only (shop/policy/access.py
`access_guest_order`), so rotating SECRET_KEY does not lock guests out. The token travels in
the `X-Order-Token` header (API), in a POSTed form field, or in a link's fragment (never sent
to a server, never in a Referer) that the order page's script posts: never in a URL a cache or
a log could keep.

Claiming. A guest order is never attached to an account by e-mail alone: a signed-in shopper
whose address matches asks for a link (`claim_link_send`), which is e-mailed to the account's
address and signed for that account and address, valid CLAIM_MAX_AGE and for
the orders there are when it is sent; following it and confirming (`guest_orders_claim`)
moves those of them still unclaimed into the account, once: a used link claims nothing
(whichever worker answers), and a later order needs a new link. A claimed order is the
account's: its token no longer opens it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from shop.accounts.models import User
from shop.accounts.principal import ANONYMOUS
from shop.cart.models import MAX_LINE_QUANTITY, CartLine
from shop.catalog.models import Variant
from shop.core.addresses import ShippingAddress
from shop.core.errors import InvalidInput
from shop.core.faults import fault_point
from shop.core.ownership import guest_order_owner, ledger_grant
from shop.shipping.models import ShippingMethod
from shop.shipping.selectors import shipping_method_get

from . import idempotency
from .guest_tokens import order_token, order_token_hash, order_token_of
from .hosted import HOSTED_CARD, HostedPayment, hosted_session_open
from .models import GuestOrder, IdempotencyKey, Order
from .payments import CardToken, gateway, hosted_gateway_for
from .recording import CreatedOrder, order_create_retrying, order_record
from .services import PlacedOrder, order_pay, request_facts

MAX_ITEMS = 50
CLAIM_SALT = "shop.orders.guest.claim"
CLAIM_MAX_AGE = 24 * 60 * 60


@dataclass(frozen=True)
class GuestPlaced:
    placed: PlacedOrder
    token: str


# --- placing


def email_clean(email: str) -> str:
    value = (email or "").strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        raise InvalidInput("Enter a valid e-mail address.", code="invalid_email") from None
    if len(value) > 254:
        raise InvalidInput("Enter a valid e-mail address.", code="invalid_email")
    return value


def items_clean(items: list[tuple[str, int]]) -> dict[str, int]:
    """sku -> quantity (the same sku twice adds up), or InvalidInput."""
    if not items or len(items) > MAX_ITEMS:
        raise InvalidInput(f"Send 1 to {MAX_ITEMS} items.", code="invalid_items")
    wanted: dict[str, int] = {}
    for sku, quantity in items:
        wanted[sku] = wanted.get(sku, 0) + quantity
        if not 1 <= wanted[sku] <= MAX_LINE_QUANTITY:
            raise InvalidInput(f"Quantities are 1 to {MAX_LINE_QUANTITY} per item.",
                               code="invalid_quantity")
    return wanted


def _lines(wanted: dict[str, int]) -> list[CartLine]:
    """Unsaved cart lines for the guest's items (what order_record takes)."""
    variants = {v.sku: v for v in Variant.objects.filter(sku__in=list(wanted))
                .select_related("product")}
    unknown = [sku for sku in wanted if sku not in variants]
    if unknown:
        raise InvalidInput("Some items do not exist.", code="unknown_sku")
    return [CartLine(variant=variants[sku], sku=sku, name=variants[sku].product.name,
                     quantity=quantity) for sku, quantity in wanted.items()]


def guest_place_order(
    *,
    email: str,
    items: list[tuple[str, int]],
    address: ShippingAddress,
    shipping_method_code: str,
    card: CardToken,
    site_url: str,
    idempotency_key: str | None = None,
    discount_code: str | None = None,
) -> GuestPlaced:
    """Places and pays a guest's order. `discount_code`: the API's, or on the storefront the
    code on the guest's cart, which she reviewed (shop/web/views/guest.py; the view takes it
    off the cart once the order is paid). Raises what checkout raises: InvalidInput (422),
    EmptyCart/CartChanged/OutOfStock (409), PaymentDeclined (402), PaymentUnavailable (503),
    IdempotencyKeyReused (422), DiscountInvalid (422)."""
    email = email_clean(email)
    wanted = items_clean(items)
    key = idempotency.key_validate(idempotency_key)
    method = shipping_method_get(code=shipping_method_code)
    lines = _lines(wanted)
    claim = _claim_or_replay(key=key, email=email, facts={
        **_facts(address, method.code, card, email, wanted), "discount_code": discount_code or ""})
    if isinstance(claim, GuestPlaced):
        return claim

    gw = gateway()
    nonce = secrets.token_urlsafe(24)
    try:
        order, order_lines, payment = order_create_retrying(_creator(
            lines=lines, email=email, address=address, method=method, claim=claim, card=card,
            gateway_name=gw.name, discount_code=discount_code, site_url=site_url, nonce=nonce))
    except BaseException:
        if claim is not None:
            idempotency.idempotency_release(claim=claim)
        raise
    fault_point("checkout.recorded")
    placed = order_pay(gw=gw, order=order, lines=order_lines, payment=payment, card=card,
                       principal=ANONYMOUS)
    return GuestPlaced(placed, order_token(number=order.number, nonce=nonce))


def _creator(*, lines: list[CartLine], email: str, address: ShippingAddress,
             method: ShippingMethod, claim: IdempotencyKey | None, card: CardToken,
             gateway_name: str, discount_code: str | None, site_url: str,
             nonce: str) -> Callable[[], CreatedOrder]:
    """Transaction 1 of a guest order: the shopper's (order_record) plus the GuestOrder row."""

    def create() -> CreatedOrder:
        created = order_record(lines=lines, user=None, email=email, address=address,
                               method=method, claim=claim, card=card, gateway_name=gateway_name,
                               discount_code=discount_code)
        order = created[0]
        ledger_grant(guest_order_owner(order.pk))  # this request placed it
        GuestOrder.objects.create(
            order=order, nonce=nonce, site_url=site_url[:200],
            token_hash=order_token_hash(order_token(number=order.number, nonce=nonce)),
        )
        return created

    return create


def guest_start_hosted(
    *,
    email: str,
    items: list[tuple[str, int]],
    address: ShippingAddress,
    shipping_method_code: str,
    site_url: str,
    idempotency_key: str,
    return_urls: Callable[[str], tuple[str, str]],
    discount_code: str | None = None,
) -> HostedPayment:
    """A guest's order paid on the provider's hosted page: recorded exactly as
    guest_place_order records it (the order, its GuestOrder row and its `charging` Payment in
    transaction 1), then the provider's page is opened instead of a charge
    (shop/orders/hosted.py). Settled like a shopper's: the return, the webhook or the
    reconciliation job. `return_urls(number)` must not carry the order token. The same key
    again: that order, and no URL (its attempt is under way or done)."""
    email = email_clean(email)
    wanted = items_clean(items)
    key = idempotency.key_validate(idempotency_key) or ""
    method = shipping_method_get(code=shipping_method_code)
    lines = _lines(wanted)
    gw = hosted_gateway_for()
    facts = {**_facts(address, method.code, HOSTED_CARD, email, wanted),
             "discount_code": discount_code or ""}
    claimed = idempotency.idempotency_claim(
        user=None, scope=idempotency.guest_scope(email), key=key,
        fingerprint=idempotency.fingerprint(facts),
    )
    if isinstance(claimed, Order):
        ledger_grant(guest_order_owner(claimed.pk))  # (this request proved the key)
        return HostedPayment(order=claimed, url="")
    try:
        order, _, payment = order_create_retrying(_creator(
            lines=lines, email=email, address=address, method=method, claim=claimed,
            card=HOSTED_CARD, gateway_name=gw.name, discount_code=discount_code,
            site_url=site_url, nonce=secrets.token_urlsafe(24)))
    except BaseException:
        idempotency.idempotency_release(claim=claimed)
        raise
    fault_point("checkout.recorded")
    return hosted_session_open(gw=gw, order=order, payment=payment, return_urls=return_urls,
                               give_back_to=ANONYMOUS)


def _claim_or_replay(*, key: str | None, email: str, facts: dict[str, object]
                     ) -> IdempotencyKey | GuestPlaced | None:
    """No key: None. Else this request's claim of the key, or the order an earlier request
    with the key and the same facts placed, answered again."""
    if key is None:
        return None
    claimed = idempotency.idempotency_claim(
        user=None, scope=idempotency.guest_scope(email), key=key,
        fingerprint=idempotency.fingerprint(facts),
    )
    if isinstance(claimed, Order):  # (this request proved the key, e-mail and card)
        ledger_grant(guest_order_owner(claimed.pk))
        guest = GuestOrder.objects.select_related("order").get(order=claimed)
        return GuestPlaced(PlacedOrder(order=claimed, replayed=True), order_token_of(guest))
    return claimed


def _facts(address: ShippingAddress, method_code: str, card: CardToken, email: str,
                   wanted: dict[str, int]) -> dict[str, object]:
    return {**request_facts(address, method_code, card), "email": email,
            "items": sorted(wanted.items())}


# --- claiming (a signed-in shopper proves the mailbox)


def _claimable(*, user: User) -> QuerySet[Order]:
    return Order.objects.filter(user=None, email=user.email.lower(), guest__claimed_at=None)


def claimable_numbers(*, user: User) -> list[str]:
    """Numbers of the unclaimed guest orders placed with the account's address (numbers
    only: the orders themselves are not the account's until claimed)."""
    return list(_claimable(user=user).order_by("-created_at")
                .values_list("number", flat=True)[:100])


def claim_link(*, user: User, base_url: str) -> str | None:
    """The link claim_link_send e-mails, or None when there is nothing to claim. Signed for
    the account, its address and the orders there are now (up to the newest one's time):
    once they are claimed the link claims nothing, on any worker, and an order placed after
    it was sent needs a new link."""
    newest = _claimable(user=user).order_by("-created_at").values_list(
        "created_at", flat=True).first()
    if newest is None:
        return None
    token = signing.dumps({"u": user.pk, "e": user.email.lower(), "b": newest.isoformat()},
                          salt=CLAIM_SALT)
    return base_url + reverse("web:guest_claim") + f"?t={token}"


def claim_link_send(*, user: User, base_url: str) -> bool:
    """E-mails the account's address a signed link that claims its guest orders. False
    when there is nothing to claim."""
    link = claim_link(user=user, base_url=base_url)
    if link is None:
        return False
    context = {"user": user, "link": link, "shop_name": settings.SHOP_NAME}
    send_mail(
        subject=f"Add your guest orders to your {settings.SHOP_NAME} account",
        message=render_to_string("orders/email/guest_claim.txt", context),
        from_email=None, recipient_list=[user.email],
    )
    return True


def _claim_bound(*, user: User, token: str) -> datetime | None:
    """The newest order time the link covers, when `token` is the account's own unexpired
    claim link; None otherwise."""
    try:
        data = signing.loads(token or "", salt=CLAIM_SALT, max_age=CLAIM_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or set(data) != {"u", "e", "b"} or (
            data["u"], data["e"]) != (user.pk, user.email.lower()):
        return None
    try:
        return datetime.fromisoformat(str(data["b"]))
    except ValueError:
        return None


def claim_token_valid(*, user: User, token: str) -> bool:
    """Whether the link is the account's own, unexpired, and still has orders to claim (a
    used link is not valid any more)."""
    bound = _claim_bound(user=user, token=token)
    return bound is not None and _claimable(user=user).filter(created_at__lte=bound).exists()


def guest_orders_claim(*, user: User, token: str) -> int:
    """Moves the unclaimed guest orders the link covers into the account, when `token` is
    the account's own, unexpired claim link. Returns how many moved (0 for a bad or used
    link). Two confirmations at once (two workers) move each order once: the UPDATE only
    takes orders that still have no user."""
    bound = _claim_bound(user=user, token=token)
    if bound is None:
        return 0
    now = timezone.now()
    with transaction.atomic():
        ids = list(_claimable(user=user).filter(created_at__lte=bound)
                   .values_list("pk", flat=True))
        moved = Order.objects.filter(pk__in=ids, user=None).update(user=user)
        GuestOrder.objects.filter(order_id__in=ids, claimed_at=None).update(claimed_at=now)
    return moved
