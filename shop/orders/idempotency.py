"""`Idempotency-Key` for checkout (docs/contract.md §4): the same key from the same user places one
order.

A key is claimed by inserting (user, key, fingerprint) into a table whose unique constraint is
(user, key): of two requests that race with one key, exactly one insert wins, on SQLite and
PostgreSQL alike. The loser waits (briefly) for the winner's order to be settled and returns
that same order. The shopper's checkout inserts the claim with its order, as the last write
of the transaction that creates it (KeyClaim, key_claim_with, idempotency_replay: no
transaction of its own); guest checkout and the hosted page claim first, in a transaction of
their own, and link the order after (idempotency_claim).

The fingerprint is a keyed hash of what was asked (address, shipping method, the card's
brand, last four digits and expiry: never the card number): the same key with a different
request is refused (422), as in the IETF Idempotency-Key draft.

A checkout that fails (sold out, declined) deletes its claim with its order, so the key can be
used again: a declined attempt leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time
from dataclasses import dataclass

import orjson
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from shop.accounts.models import User
from shop.core.errors import Conflict, InvalidInput

from .models import IdempotencyKey, Order, OrderStatus

MAX_KEY_LENGTH = 255
WAIT_SECONDS = 15.0
POLL_SECONDS = 0.05
# A claim with no order after this long belongs to a request that died: it may be taken over.
ABANDONED_AFTER = dt.timedelta(minutes=2)


class IdempotencyKeyReused(InvalidInput):
    code = "idempotency_key_reused"
    status = 422
    message = "This Idempotency-Key was already used for a different checkout."


class IdempotencyInProgress(Conflict):
    code = "idempotency_in_progress"
    message = "A checkout with this Idempotency-Key is still in progress. Retry in a moment."


def key_validate(key: str | None) -> str | None:
    """None or a usable key: 1 to 255 printable ASCII characters."""
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(32 < ord(ch) < 127 for ch in key):
        raise InvalidInput(
            "The Idempotency-Key header must be 1 to 255 visible ASCII characters.",
            code="invalid_idempotency_key",
        )
    return key


def fingerprint(request_facts: dict) -> str:  # type: ignore[type-arg]
    raw = orjson.dumps(request_facts, option=orjson.OPT_SORT_KEYS)
    return hmac.new(
        settings.SECRET_KEY.encode(), b"idempotency:" + raw, hashlib.sha256
    ).hexdigest()


def guest_scope(email: str) -> str:
    """A guest's keys are theirs by e-mail address: a keyed hash of it (never the address)."""
    return hmac.new(settings.SECRET_KEY.encode(), b"idempotency-guest:" + email.encode(),
                    hashlib.sha256).hexdigest()


def idempotency_claim(*, user: User | None, key: str, fingerprint: str, scope: str = ""
                      ) -> IdempotencyKey | Order:
    """Either a new claim (this request goes on to place the order) or the order that an
    earlier request with the same key placed (this request returns it). A guest (no user)
    claims within `scope` (guest_scope)."""
    owner = _owner(user, scope)
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(**owner, key=key, fingerprint=fingerprint)
        except IntegrityError:
            pass
        found = _earlier_order(owner=owner, key=key, fingerprint=fingerprint, deadline=deadline)
        if found is not None:
            return found


@dataclass(frozen=True)
class KeyClaim:
    """A key claimed inside the transaction that creates its order (key_claim_with): one
    statement, no commit of its own (the shopper's checkout, services.py)."""

    user: User | None
    key: str
    fingerprint: str
    scope: str = ""


class KeyTaken(Exception):
    """Raised inside the order's transaction when its key was already claimed (the unique
    constraint decided): the transaction rolls back and the caller answers the earlier
    order (idempotency_replay)."""


def key_claim_with(*, claim: KeyClaim, order: Order) -> None:
    """Claims the key for `order`, in its transaction. The last write of the transaction,
    after every other lock: a racing request with the same key waits here, on the unique
    index, for the first one's transaction, and gets KeyTaken once it committed."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a key is claimed inside its order's transaction")
    try:
        IdempotencyKey.objects.create(**_owner(claim.user, claim.scope), key=claim.key,
                                      fingerprint=claim.fingerprint, order=order)
    except IntegrityError as error:
        raise KeyTaken() from error


class KeyReleased(Exception):
    """The earlier request this one waited for let go of the key (its checkout failed, its
    lines went back to the cart): this request may place its own order now."""


def idempotency_replay(*, claim: KeyClaim) -> Order | None:
    """The order an earlier request with this key placed, once it is settled (waiting for
    it, briefly); None when nobody holds the key; KeyReleased when the holder let go of it
    while this request waited. IdempotencyKeyReused (422) when it was claimed for a
    different request."""
    owner = _owner(claim.user, claim.scope)
    deadline = time.monotonic() + WAIT_SECONDS
    seen = False
    while True:
        found = _earlier_order(owner=owner, key=claim.key, fingerprint=claim.fingerprint,
                               deadline=deadline)
        if found is not None:
            return found
        if not IdempotencyKey.objects.filter(**owner, key=claim.key).exists():
            if seen:
                raise KeyReleased()
            return None
        seen = True


def _owner(user: User | None, scope: str) -> dict[str, object]:
    return {"user": user} if user is not None else {"user": None, "scope": scope}


def _earlier_order(*, owner: dict[str, object], key: str, fingerprint: str,
                   deadline: float) -> Order | None:
    """The settled order of the key's claim, or None to look again (no claim: it was let
    go; an abandoned claim: taken over; still in progress: after a short wait)."""
    # the order is read only once the fingerprint matched: a different request with a
    # reused key never loads the order it does not own (a guest's key is not secret)
    claim = IdempotencyKey.objects.filter(**owner, key=key).first()
    if claim is None:  # the other request failed and let go of the key
        return None
    if not hmac.compare_digest(claim.fingerprint, fingerprint):
        raise IdempotencyKeyReused()
    order = claim.order
    if order is not None and order.status != OrderStatus.PENDING_PAYMENT:
        return order
    if order is None and timezone.now() - claim.created_at > ABANDONED_AFTER:
        IdempotencyKey.objects.filter(pk=claim.pk, order__isnull=True).delete()
        return None
    if time.monotonic() > deadline:
        raise IdempotencyInProgress()
    time.sleep(POLL_SECONDS)
    return None


def idempotency_release(*, claim: IdempotencyKey) -> None:
    """Lets go of a key whose checkout failed before it had an order."""
    IdempotencyKey.objects.filter(pk=claim.pk, order__isnull=True).delete()
