"""The ownership ledger: which user-owned objects a request has loaded, and whose they are.

Every instance of an owned model (OwnedModel: carts, orders) that is loaded from the database
while a request is served is noted on that request's ledger. The note is taken in `from_db`,
under every queryset, so no selector, view or template can forget it. The guard that reads
the ledger before a response leaves is shop/policy/ownership.py.

The ledger is a ContextVar: per thread and per request, never shared between two requests. It
holds (model, primary key, owner) tuples only, not the objects.

Guest-owned objects (a guest cart) carry the token that this browser's session holds under
GUEST_SESSION_KEY; the functions here are the only ones that read or write it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.db import models

# The session key of a guest's own token: guest-owned objects (a guest cart) carry the same
# token. Sign-out flushes the session, and the guest's objects leave the browser with it.
GUEST_SESSION_KEY = "bfm_guest_token"

OwnerKey = tuple[str, Any]  # ("user", 12) | ("guest", "token") | ("nobody", None)
UNKNOWN_OWNER: OwnerKey = ("unknown", None)
LedgerEntry = tuple[str, Any, OwnerKey]  # (model label, primary key, owner)


@dataclass
class Ledger:
    entries: list[LedgerEntry] = field(default_factory=list)
    # Guest tokens this request's session held and gave up (the sign-in merge).
    retired_guest_tokens: set[str] = field(default_factory=set)
    # Owners this request proved it may see (a guest order whose token it presented).
    granted: set[OwnerKey] = field(default_factory=set)


_ledger: ContextVar[Ledger | None] = ContextVar("bfm_ownership_ledger", default=None)


@contextmanager
def ledger_open() -> Iterator[Ledger]:
    """A fresh ledger for the request being served, closed when it has been answered."""
    ledger = Ledger()
    token = _ledger.set(ledger)
    try:
        yield ledger
    finally:
        _ledger.reset(token)


class OwnedModel(models.Model):
    """A model whose rows belong to one shopper. Subclasses implement `owner_from_fields`."""

    class Meta:
        abstract = True

    @classmethod
    def owner_from_fields(cls, values: dict[str, Any]) -> OwnerKey:  # pragma: no cover
        raise NotImplementedError

    @classmethod
    def owner_field_names(cls) -> tuple[str, ...]:  # pragma: no cover
        raise NotImplementedError

    @classmethod
    def from_db(cls, db, field_names, values):  # type: ignore[override]
        instance = super().from_db(db, field_names, values)
        ledger = _ledger.get()
        if ledger is not None:
            loaded = instance.__dict__
            names = cls.owner_field_names()
            if all(name in loaded for name in names):
                owner = cls.owner_from_fields({name: loaded[name] for name in names})
            else:  # the owner was deferred: fail closed
                owner = UNKNOWN_OWNER
            ledger.entries.append((cls._meta.label, instance.pk, owner))
        return instance


def user_owner(user_id: int | None) -> OwnerKey:
    return ("user", user_id) if user_id is not None else ("nobody", None)


def guest_order_owner(order_id: int) -> OwnerKey:
    """An order without a user: only a request that proved its order token may see it."""
    return ("guest_order", order_id)


def ledger_grant(owner: OwnerKey) -> None:
    """This request proved it may see `owner`'s objects (shop/policy/access.py only, after a
    secret was checked)."""
    ledger = _ledger.get()
    if ledger is not None:
        ledger.granted.add(owner)


def guest_owner(token: str | None) -> OwnerKey:
    return ("guest", token) if token else ("nobody", None)


def guest_token_get(session: SessionBase) -> str | None:
    token = session.get(GUEST_SESSION_KEY)
    return token if isinstance(token, str) and token else None


def guest_token_obtain(session: SessionBase) -> str:
    """This browser's guest token, made on first use (a new random token per session)."""
    token = guest_token_get(session)
    if token is None:
        token = secrets.token_urlsafe(32)
        session[GUEST_SESSION_KEY] = token
    return token


def guest_token_retire(session: SessionBase) -> str | None:
    """Takes the guest token out of the session (after its cart merged into the user's). The
    objects it owned may still be loaded by this request, and only by this one."""
    token = guest_token_get(session)
    session.pop(GUEST_SESSION_KEY, None)
    ledger = _ledger.get()
    if token and ledger is not None:
        ledger.retired_guest_tokens.add(token)
    return token
