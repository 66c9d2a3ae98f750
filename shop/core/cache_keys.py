"""Every server-side key, built by a named function (docs/threats.md case 19): keys of the
Django cache, and keys of the shared counters in the database (shop/core/counters.py:
throttles and alert rules).

A key that depends on a user or a credential names it explicitly; nothing outside this module
formats a key. Keys are short, versioned ("v1") and carry no secret in clear: anything derived
from a credential, an email address or a client address is hashed first (keyed).

django-axes keeps its failure records in the database (its database handler), not the cache.
"""

import hashlib

from django.utils.crypto import salted_hmac

_VERSION = "v1"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def _keyed_digest(value: str, *, purpose: str) -> str:
    """A digest only this shop can compute (keyed with SECRET_KEY): a bare hash of an email
    address would let anyone holding the address and a cache dump find its entries."""
    # The salt keeps the module's first home, so that keys stay the same across the move.
    digest = salted_hmac(f"shop.policy.cache_keys.{purpose}", value, algorithm="sha256")
    return digest.hexdigest()[:32]


def throttle_subject(*, scope: str, kind: str, value: str) -> str:
    """The subject a throttle counts for (an address or an account). Accounts and addresses
    are hashed, keyed: no email address or client address appears in a key, even as a plain
    hash."""
    return f"{_VERSION}:{scope}:{kind}:{_keyed_digest(value.strip().lower(), purpose='throttle')}"


def known_address(*, account: str, address: str) -> str:
    """An address the account signed in from successfully (shared counter): attempts from it
    are not held back by the account's attempt cap."""
    digest = _keyed_digest(f"{account.strip().lower()}|{address}", purpose="known-address")
    return f"known:{_VERSION}:{digest}"


def throttle_counter(*, subject: str) -> str:
    """The shared counter (database) of one throttle subject; the window is appended."""
    return f"throttle:{subject}"


# --- security alert rules (shop/monitoring/alerts.py): shared counters in the database


def alert_counter(*, rule: str, subject: str) -> str:
    """Events a rule counted for one subject (a user id, an address, "site"); the window is
    appended by the counter."""
    return f"alert:{_VERSION}:{rule}:{_digest(subject)}"


def alert_open(*, rule: str, subject: str) -> str:
    """Serializes raising an alert for this rule and subject across processes."""
    return f"alert-open:{_VERSION}:{rule}:{_digest(subject)}"


def probe_counter(*, kind: str, ip: str) -> str:
    """Probe requests (injection, forced browsing, ...) of one kind from one address: the
    first few of a window are stored as security events, the rest only counted."""
    return f"probe:{_VERSION}:{kind}:{_keyed_digest(ip, purpose='probe')}"


# --- catalog aggregates (shop/catalog/aggregates.py): public data, the same for everyone


def catalog_facets(*, filters: str) -> str:
    """Result count and facet counts of one search or filter combination (`filters` is its
    canonical text; hashed, since it holds what a visitor typed)."""
    return f"facets:{_VERSION}:{_digest(filters)}"


def catalog_suggestion(*, q: str) -> str:
    """The "did you mean" of a search text that found nothing."""
    return f"suggest:{_VERSION}:{_digest(q)}"
