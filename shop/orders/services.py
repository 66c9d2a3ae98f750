"""Placing an order: checkout and its payment.

The order of events (checkout_place_order), chosen so that no lock is held while the payment
provider is called, nothing is ever oversold, and no money moves without a row that says so:

1. Idempotency-Key (optional): claim it (idempotency.py). A retry returns the first order.
2. Transaction 1, short, in the lock order of shop/orders/stock.py: lock the shopper's user
   row (an erasure waits, or this checkout finds the account gone) and cart row, read the
   lines, take the stock (variant rows in id order plus one conditional UPDATE), create the
   order in `pending_payment` with its charge in flight, its lines at the prices read under
   the lock, its "placed" event and the Payment row (`charging`, with the idempotency key the
   provider will get), and empty the cart. Any shortfall (409) rolls all of it back. The
   shipping price and every total are computed here; nothing from the request is a price.
3. Charge through the gateway, outside any transaction, with the payment's key.
4. Settle (shop/orders/settlement.py): captured -> the order is paid and its confirmation
   e-mail queued, in one transaction. Declined (402) or provider unreachable (503): the order
   is removed, its stock back, its lines back in the cart. No answer at all: the provider is
   asked again by the key (and the attempt voided if it never arrived) before anything is
   said; if it still cannot tell, the order stays in flight and the reconciliation job
   settles it.

If the process dies anywhere after 2, the Payment row says `charging`: the reconciliation job
(`reconcile_payments`, `release_abandoned_orders`) asks the provider by the key and records
what happened (paid, or cancelled with its stock back).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from shop.accounts.models import User
from shop.accounts.principal import Principal
from shop.cart.models import CartLine
from shop.cart.selectors import cart_lines
from shop.core.errors import Conflict, InvalidInput, ShopError
from shop.core.faults import fault_point
from shop.policy import access
from shop.shipping.models import ShippingMethod
from shop.shipping.selectors import shipping_method_get

from . import idempotency
from .models import (
    IdempotencyKey,
    MoneyInFlight,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
)
from .numbers import order_number_new
from .payments import (
    CardToken,
    PaymentDeclined,
    PaymentUnavailable,
    PaymentUncertain,
    gateway,
    gateway_for,
)
from .pricing import totals_for
from .settlement import (
    charge_captured,
    charge_not_charged,
    charge_settle,
    payment_provider_id_set,
)
from .stock import stock_take

logger = logging.getLogger("shop.orders")

# Where the shop delivers (ISO 3166-1 alpha-2): the EU, the EEA, the UK, Switzerland, the US
# and Canada.
SHIPPING_COUNTRIES = {
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "HR": "Croatia", "CY": "Cyprus",
    "CZ": "Czechia", "DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France",
    "DE": "Germany", "GR": "Greece", "HU": "Hungary", "IE": "Ireland", "IT": "Italy",
    "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg", "MT": "Malta",
    "NL": "Netherlands", "PL": "Poland", "PT": "Portugal", "RO": "Romania",
    "SK": "Slovakia", "SI": "Slovenia", "ES": "Spain", "SE": "Sweden", "IS": "Iceland",
    "LI": "Liechtenstein", "NO": "Norway", "CH": "Switzerland", "GB": "United Kingdom",
    "US": "United States", "CA": "Canada",
}
POSTAL_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{1,18}[A-Za-z0-9]$")
FIELD_LIMITS = {"name": 150, "line1": 200, "line2": 200, "city": 100, "postal_code": 20}


class SignInRequired(ShopError):
    code = "not_authenticated"
    status = 401
    message = "Sign in to check out."


class EmptyCart(Conflict):
    code = "cart_empty"
    message = "Your cart is empty."


class CartChanged(Conflict):
    code = "cart_changed"
    message = "Some items in your cart are no longer available. Please review your cart."


@dataclass(frozen=True)
class ShippingAddress:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""

    @classmethod
    def clean(cls, **fields: str) -> ShippingAddress:
        """Trimmed and checked, or InvalidInput naming the field."""
        values = {}
        for name in ("name", "line1", "line2", "city", "postal_code", "country"):
            value = " ".join(str(fields.get(name) or "").split())
            if not value.isprintable():
                raise InvalidInput(f"The {name} contains characters that are not allowed.",
                                   code="invalid_address")
            values[name] = value
        for name, limit in FIELD_LIMITS.items():
            if name != "line2" and not values[name]:
                raise InvalidInput(f"The address needs a {name.replace('_', ' ')}.",
                                   code="invalid_address")
            if len(values[name]) > limit:
                raise InvalidInput(
                    f"The {name.replace('_', ' ')} is longer than {limit} characters.",
                    code="invalid_address",
                )
        values["country"] = values["country"].upper()
        if values["country"] not in SHIPPING_COUNTRIES:
            raise InvalidInput("We do not deliver to this country.", code="invalid_country")
        if not POSTAL_CODE.match(values["postal_code"]):
            raise InvalidInput("The postal code is not valid.", code="invalid_address")
        return cls(**values)

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name, "line1": self.line1, "line2": self.line2, "city": self.city,
            "postal_code": self.postal_code, "country": self.country,
        }


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    replayed: bool = False
    # The order's lines as placed (None on a replay: read them from the order).
    lines: list[OrderLine] | None = None


def _request_facts(address: ShippingAddress, method_code: str, card: CardToken) -> dict:
    return {
        "address": address.as_dict(),
        "shipping_method": method_code,
        "card": [card.brand, card.last4, card.exp_month, card.exp_year],
    }


def checkout_place_order(
    *,
    principal: Principal,
    address: ShippingAddress,
    shipping_method_code: str,
    card: CardToken,
    idempotency_key: str | None = None,
) -> PlacedOrder:
    """Places the principal's cart as an order and pays for it (see the module docstring).
    Raises EmptyCart/CartChanged/OutOfStock (409), PaymentDeclined (402), InvalidInput
    (unknown shipping method), IdempotencyKeyReused (422)."""
    if not principal.is_authenticated:
        raise SignInRequired()
    user = principal.user
    key = idempotency.key_validate(idempotency_key)
    method = shipping_method_get(code=shipping_method_code)

    claim: IdempotencyKey | None = None
    if key is not None:
        claimed = idempotency.idempotency_claim(
            user=user,
            key=key,
            fingerprint=idempotency.fingerprint(_request_facts(address, method.code, card)),
        )
        if isinstance(claimed, Order):
            return PlacedOrder(order=claimed, replayed=True)
        claim = claimed

    gw = gateway()
    try:
        order, lines, payment = _order_create(
            principal=principal, address=address, method=method, claim=claim, card=card,
            gateway_name=gw.name,
        )
    except BaseException:
        if claim is not None:
            idempotency.idempotency_release(claim=claim)
        raise

    fault_point("checkout.recorded")
    try:
        charge = gw.charge(
            token=card, amount=payment.amount, currency=payment.currency,
            idempotency_key=payment.idempotency_key, reference=order.number,
            on_provider_id=lambda provider_id: payment_provider_id_set(
                payment=payment, provider_id=provider_id),
        )
    except PaymentDeclined:
        fault_point("checkout.declined")
        charge_not_charged(payment=payment, status=Payment.Status.DECLINED,
                           give_back_to=principal)
        raise
    except PaymentUnavailable:
        charge_not_charged(payment=payment, status=Payment.Status.FAILED,
                           give_back_to=principal)
        raise
    except Exception as error:
        if not isinstance(error, PaymentUncertain):
            logger.exception("payment gateway failed; asking it what happened")
        return _settle_unanswered(payment=payment, principal=principal, lines=lines)

    fault_point("checkout.charged")
    settled = charge_captured(payment=payment, reference=charge.reference, order=order)
    fault_point("checkout.settled")
    return _answer(settled.order, lines)


def _settle_unanswered(*, payment: Payment, principal: Principal,
                       lines: list[OrderLine]) -> PlacedOrder:
    """The provider never answered the charge: ask it by the key (voiding the attempt if it
    never arrived) and answer with what really happened."""
    settled = charge_settle(payment=payment, give_back_to=principal)
    if settled is None:  # it cannot tell yet: the order stays in flight for the job
        raise PaymentUncertain()
    if settled.order.status == OrderStatus.PAID:
        return _answer(settled.order, lines)
    raise PaymentUnavailable()


def _answer(order: Order, lines: list[OrderLine]) -> PlacedOrder:
    if order.status != OrderStatus.PAID:  # settled by someone else first: show what is
        order.refresh_from_db()
    return PlacedOrder(order=order, lines=lines)


def placed_events(placed: PlacedOrder) -> list[dict] | None:
    """The timeline of an order this request just placed and paid (placed, then paid), as
    rows of shop.orders.selectors.EVENT_FIELDS, without reading it back; None otherwise."""
    order = placed.order
    if placed.replayed or order.status != OrderStatus.PAID or order.paid_at is None:
        return None
    return [
        {"order_id": order.pk, "at": order.created_at, "status": OrderStatus.PENDING_PAYMENT,
         "kind": "placed", "amount": None},
        {"order_id": order.pk, "at": order.paid_at, "status": OrderStatus.PAID,
         "kind": "paid", "amount": None},
    ]


def _order_create(
    *,
    principal: Principal,
    address: ShippingAddress,
    method: ShippingMethod,
    claim: IdempotencyKey | None,
    card: CardToken,
    gateway_name: str,
) -> tuple[Order, list[OrderLine], Payment]:
    """Transaction 1. Retried when the random order number is already taken."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _order_create_once(
                    principal=principal, address=address, method=method, claim=claim,
                    card=card, gateway_name=gateway_name,
                )
        except IntegrityError:
            if attempt == 2:
                raise
            logger.warning("order number collision; retrying")
    raise AssertionError("unreachable")


def _order_create_once(
    *,
    principal: Principal,
    address: ShippingAddress,
    method: ShippingMethod,
    claim: IdempotencyKey | None,
    card: CardToken,
    gateway_name: str,
) -> tuple[Order, list[OrderLine], Payment]:
    # the lock order of shop/orders/stock.py: user, cart, (order), variants
    if not User.objects.select_for_update().filter(pk=principal.user_id).exists():
        raise SignInRequired()  # the account was erased a moment ago
    cart = access.cart_for(viewer=principal, for_update=True)
    lines = cart_lines(cart=cart) if cart is not None else []
    if not lines:
        raise EmptyCart()
    if any(line.variant is None or not line.variant.product.is_active for line in lines):
        raise CartChanged()
    quantities: dict[int, int] = {}
    names: dict[int, str] = {}
    for line in lines:
        variant = line.variant
        quantities[variant.pk] = quantities.get(variant.pk, 0) + line.quantity
        label = variant.label
        names[variant.pk] = (
            variant.product.name if label == "Standard" else f"{variant.product.name} ({label})"
        )
    prices = stock_take(quantities=quantities, names=names)

    order_lines = []
    for line in lines:
        variant = line.variant
        unit_price = prices[variant.pk]
        order_lines.append(
            OrderLine(
                variant=variant,
                sku=variant.sku,
                product_name=variant.product.name,
                variant_label="" if variant.label == "Standard" else variant.label,
                unit_price=unit_price,
                quantity=line.quantity,
                line_total=unit_price * line.quantity,
            )
        )
    totals = totals_for(
        subtotal=sum((line.line_total for line in order_lines), Decimal("0.00")), method=method
    )
    user = principal.user
    order = Order.objects.create(
        number=order_number_new(),
        user=user,
        email=user.email,
        status=OrderStatus.PENDING_PAYMENT,
        money_in_flight=MoneyInFlight.CHARGE,
        currency=settings.SHOP_CURRENCY,
        subtotal=totals.subtotal,
        shipping_total=totals.shipping,
        total=totals.total,
        item_count=sum(quantities.values()),
        ship_name=address.name,
        ship_line1=address.line1,
        ship_line2=address.line2,
        ship_city=address.city,
        ship_postal_code=address.postal_code,
        ship_country=address.country,
        shipping_method_code=method.code,
        shipping_method_name=method.name,
    )
    for order_line in order_lines:
        order_line.order = order
    OrderLine.objects.bulk_create(order_lines)
    OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.PLACED, status=order.status,
                              at=order.created_at)
    payment = Payment.objects.create(
        order=order, gateway=gateway_name, amount=order.total, currency=order.currency,
        status=Payment.Status.CHARGING, brand=card.brand, last4=card.last4,
    )
    if claim is not None:
        IdempotencyKey.objects.filter(pk=claim.pk).update(order=order)
    CartLine.objects.filter(cart=cart).delete()
    return order, order_lines, payment


# --- the provider's hosted page (Stripe Checkout): the storefront never sees the card


HOSTED_CARD = CardToken(token="", brand="", last4="", exp_month=0, exp_year=0)


@dataclass(frozen=True)
class HostedPayment:
    order: Order
    url: str  # the provider's page the shopper pays on


def checkout_start_hosted(
    *,
    principal: Principal,
    address: ShippingAddress,
    shipping_method_code: str,
    idempotency_key: str,
    return_urls: Callable[[str], tuple[str, str]],
) -> HostedPayment:
    """Steps 1 and 2 of checkout_place_order, then a session on the provider's hosted page
    instead of a charge: the order waits, its charge in flight, while the shopper pays
    there. `return_urls(order number)` gives the (paid, cancelled) URLs the provider sends the
    shopper back to. Settled by checkout_hosted_return / checkout_hosted_cancel, the
    provider's webhook, or the reconciliation job once the session has expired."""
    if not principal.is_authenticated:
        raise SignInRequired()
    gw = gateway()
    key = idempotency.key_validate(idempotency_key)
    method = shipping_method_get(code=shipping_method_code)
    claimed = idempotency.idempotency_claim(
        user=principal.user, key=key,
        fingerprint=idempotency.fingerprint(_request_facts(address, method.code, HOSTED_CARD)),
    )
    if isinstance(claimed, Order):  # the form sent again: that attempt is under way, or done
        return HostedPayment(order=claimed, url="")
    try:
        order, _, payment = _order_create(
            principal=principal, address=address, method=method, claim=claimed,
            card=HOSTED_CARD, gateway_name=gw.name,
        )
    except BaseException:
        idempotency.idempotency_release(claim=claimed)
        raise
    fault_point("checkout.recorded")
    paid_url, cancelled_url = return_urls(order.number)
    try:
        session_id, url = gw.hosted_session(
            amount=payment.amount, currency=payment.currency,
            idempotency_key=payment.idempotency_key, reference=order.number,
            email=order.email, success_url=paid_url, cancel_url=cancelled_url,
        )
    except (PaymentUnavailable, PaymentUncertain):
        # no page, no way to pay: nothing can have been charged
        charge_not_charged(payment=payment, status=Payment.Status.FAILED,
                           give_back_to=principal)
        raise PaymentUnavailable() from None
    payment_provider_id_set(payment=payment, provider_id=session_id)
    return HostedPayment(order=order, url=url)


def _hosted_payment(order: Order) -> Payment | None:
    return (Payment.objects.filter(order=order, status=Payment.Status.CHARGING)
            .exclude(provider_id="").order_by("-created_at").first())


def checkout_hosted_return(*, order: Order) -> Order:
    """The shopper is back from the provider's page: record the payment if it went through
    (the webhook may have done so already). The order as it now stands."""
    payment = _hosted_payment(order)
    if payment is not None:
        outcome = gateway_for(payment.gateway).charge_status(provider_id=payment.provider_id)
        if outcome is not None and outcome.charged:
            charge_captured(payment=payment, reference=outcome.reference, order=order)
    order.refresh_from_db()
    return order


def checkout_hosted_cancel(*, principal: Principal, order: Order) -> Order:
    """The shopper left the provider's page without paying: the session is closed there
    first (so it can no longer be paid), then the order is released and its lines go back
    into the cart. If it was paid after all, the order is paid."""
    payment = _hosted_payment(order)
    if payment is not None:
        outcome = gateway_for(payment.gateway).charge_cancel(provider_id=payment.provider_id)
        if outcome is not None and outcome.charged:
            charge_captured(payment=payment, reference=outcome.reference, order=order)
        elif outcome is not None:
            charge_not_charged(payment=payment, status=Payment.Status.FAILED,
                               give_back_to=principal)
    return Order.objects.filter(pk=order.pk).first() or order
