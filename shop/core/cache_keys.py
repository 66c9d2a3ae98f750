"""Every server-side cache key, built by a named function (docs/threats.md case 19).

A key that depends on a user or a credential names it explicitly; nothing outside this module
formats a cache key. Keys are short, versioned ("v1") and carry no secret in clear: anything
derived from a credential is hashed first.

Libraries that keep their own counters in the same cache build their own keys, hashed and
prefixed, from values we hand them: django-ratelimit ("rl:" + sha256 of group, rate, subject,
window; subjects come from throttle_subject below) and django-axes (its database handler is
used, so it keeps nothing in the cache).
"""

import hashlib

from django.utils.crypto import salted_hmac

_VERSION = "v1"


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def access_token_denied(*, jti: str) -> str:
    """Marks an access token (by its jti) revoked before its expiry: sign-out."""
    return f"bfm:{_VERSION}:auth:denied-jti:{_digest(jti)}"


def _keyed_digest(value: str, *, purpose: str) -> str:
    """A digest only this shop can compute (keyed with SECRET_KEY): a bare hash of an email
    address would let anyone holding the address and a cache dump find its entries."""
    # The salt keeps the module's first home, so that keys stay the same across the move.
    digest = salted_hmac(f"shop.policy.cache_keys.{purpose}", value, algorithm="sha256")
    return digest.hexdigest()[:32]


def throttle_subject(*, scope: str, kind: str, value: str) -> str:
    """The subject a throttle counts for (an address or an account), as handed to
    django-ratelimit, which hashes it into its own key. Accounts and addresses are hashed here
    too, keyed: no email address or client address appears in a key, even as a plain hash."""
    return f"{_VERSION}:{scope}:{kind}:{_keyed_digest(value.strip().lower(), purpose='throttle')}"


# --- security alert rules (shop/monitoring/alerts.py): counters shared by every app process


def alert_counter(*, rule: str, subject: str, bucket: int) -> str:
    """Events a rule counted for one subject (a user id, an address, "site") in one window."""
    return f"bfm:{_VERSION}:alert:count:{rule}:{_digest(subject)}:{bucket}"


def alert_open(*, rule: str, subject: str) -> str:
    """The alert already raised for this rule and subject, while its quiet period lasts."""
    return f"bfm:{_VERSION}:alert:open:{rule}:{_digest(subject)}"
