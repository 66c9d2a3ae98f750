"""API tokens: short-lived JWT access tokens and opaque, rotating refresh tokens.

Access token: a JWT signed with HS256 (the only algorithm accepted: the header's `alg` is never
trusted to choose), lifetime JWT_ACCESS_TOKEN_LIFETIME (10 minutes). Claims, all required and
verified with zero leeway: iss, aud, sub (user id), iat, nbf, exp, jti, typ="access" and ver.
`ver` is derived from the user row (auth_epoch and password hash, keyed): a password change,
reset, disable or erasure changes it, so older tokens die before they expire. Headers that
point at other keys (jwk, jku, x5u, x5c, x5t, kid) or ask for extensions (crit) are refused.

Refresh token: `secrets.token_urlsafe(48)`, stored only as its SHA-256, lifetime
JWT_REFRESH_TOKEN_LIFETIME (14 days), one family per sign-in. Each use rotates it with a
conditional UPDATE (used_at IS NULL AND revoked_at IS NULL), so of two concurrent uses exactly
one succeeds; presenting a used token again revokes the whole family (it leaked).

Sign-out deny-lists the access token's jti in the cache until it expires
(shop.policy.cache_keys.access_token_denied).
"""

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from shop.core import cache_keys

from .models import RefreshToken, User

ALGORITHM = "HS256"
TOKEN_TYPE = "access"  # noqa: S105 - a claim value, not a secret
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "iss", "aud", "sub", "jti", "typ", "ver"]
FORBIDDEN_HEADERS = frozenset({"jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256", "kid", "crit"})
MAX_TOKEN_LENGTH = 2048
_KEY_SALT = "shop.accounts.tokens"


class TokenInvalid(Exception):
    """An access or refresh token was refused. `reason` is a short code for the security log;
    it never reaches the client (which only ever sees a generic 401)."""

    def __init__(self, reason: str, *, user_id: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.user_id = user_id


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    jti: str
    version: str
    expires_at: datetime


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 - the scheme name


def signing_key() -> bytes:
    """JWT_SIGNING_KEY when set, else a key derived from SECRET_KEY for this purpose only."""
    configured = getattr(settings, "JWT_SIGNING_KEY", "")
    if configured:
        return configured.encode("utf-8")
    return salted_hmac(_KEY_SALT + ".signing-key", "jwt", algorithm="sha256").digest()


def user_token_version(user: User) -> str:
    """Changes whenever the user's password or auth_epoch changes."""
    return salted_hmac(
        _KEY_SALT + ".version",
        f"{user.pk}:{user.auth_epoch}:{user.password}",
        algorithm="sha256",
    ).hexdigest()[:32]


def _access_lifetime() -> timedelta:
    return timedelta(seconds=settings.JWT_ACCESS_TOKEN_LIFETIME)


def _refresh_lifetime() -> timedelta:
    return timedelta(seconds=settings.JWT_REFRESH_TOKEN_LIFETIME)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


# --- access tokens


def access_token_issue(*, user: User) -> str:
    now = timezone.now()
    claims = {
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
        "sub": str(user.pk),
        "iat": now,
        "nbf": now,
        "exp": now + _access_lifetime(),
        "jti": uuid.uuid4().hex,
        "typ": TOKEN_TYPE,
        "ver": user_token_version(user),
    }
    return jwt.encode(claims, signing_key(), algorithm=ALGORITHM, headers={"typ": "JWT"})


def access_token_decode(token: str) -> AccessClaims:
    """Verify signature, algorithm, headers and every claim; raise TokenInvalid(reason)."""
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise TokenInvalid("malformed")
    try:
        header = jwt.get_unverified_header(token)  # only to refuse before verifying
    except jwt.PyJWTError:
        raise TokenInvalid("malformed") from None
    if header.get("alg") != ALGORITHM:
        raise TokenInvalid("algorithm")
    if FORBIDDEN_HEADERS.intersection(header):
        raise TokenInvalid("header")
    try:
        payload = jwt.decode(
            token,
            signing_key(),
            algorithms=[ALGORITHM],
            audience=settings.JWT_AUDIENCE,
            issuer=settings.JWT_ISSUER,
            leeway=0,
            options={
                "require": REQUIRED_CLAIMS,
                "verify_signature": True,
                "verify_exp": True,
                "verify_nbf": True,
                "verify_iat": True,
                "verify_aud": True,
                "verify_iss": True,
                "strict_aud": True,
            },
        )
    except jwt.ExpiredSignatureError:
        raise TokenInvalid("expired") from None
    except jwt.ImmatureSignatureError:
        raise TokenInvalid("not_yet_valid") from None
    except jwt.MissingRequiredClaimError:
        raise TokenInvalid("missing_claim") from None
    except jwt.InvalidAudienceError:
        raise TokenInvalid("audience") from None
    except jwt.InvalidIssuerError:
        raise TokenInvalid("issuer") from None
    except jwt.InvalidSignatureError:
        raise TokenInvalid("signature") from None
    except jwt.PyJWTError:
        raise TokenInvalid("malformed") from None
    if payload.get("typ") != TOKEN_TYPE:
        raise TokenInvalid("type")
    subject, jti, version = payload["sub"], payload["jti"], payload["ver"]
    if not (isinstance(subject, str) and subject.isdigit() and len(subject) <= 19):
        raise TokenInvalid("subject")
    if not (isinstance(jti, str) and 0 < len(jti) <= 64 and isinstance(version, str)):
        raise TokenInvalid("malformed")
    expires_at = datetime.fromtimestamp(payload["exp"], tz=UTC)
    return AccessClaims(user_id=int(subject), jti=jti, version=version, expires_at=expires_at)


def access_token_authenticate(token: str) -> tuple[User, AccessClaims]:
    """The user an access token speaks for: decoded, not revoked, the user active and the
    token's version current. One query (the user row) and one cache read."""
    claims = access_token_decode(token)
    if cache.get(cache_keys.access_token_denied(jti=claims.jti)):
        raise TokenInvalid("revoked", user_id=claims.user_id)
    user = User.objects.filter(pk=claims.user_id).first()
    if user is None:
        raise TokenInvalid("unknown_user", user_id=claims.user_id)
    if not user.is_active:
        raise TokenInvalid("inactive", user_id=user.pk)
    if not hmac.compare_digest(claims.version, user_token_version(user)):
        raise TokenInvalid("stale", user_id=user.pk)
    return user, claims


def access_token_deny(*, jti: str, expires_at: datetime) -> None:
    """Refuse this access token (by jti) from now until it would have expired anyway."""
    remaining = int((expires_at - timezone.now()).total_seconds()) + 1
    if jti and remaining > 0:
        cache.set(cache_keys.access_token_denied(jti=jti), True, timeout=remaining)


# --- refresh tokens


def _refresh_token_create(*, user: User, family: uuid.UUID) -> str:
    raw = secrets.token_urlsafe(48)
    RefreshToken.objects.create(
        user=user,
        family=family,
        token_hash=_hash(raw),
        user_version=user_token_version(user),
        expires_at=timezone.now() + _refresh_lifetime(),
    )
    return raw


def token_pair_issue(*, user: User) -> TokenPair:
    """A fresh access token and the first refresh token of a new family (a sign-in)."""
    refresh = _refresh_token_create(user=user, family=uuid.uuid4())
    return TokenPair(
        access=access_token_issue(user=user),
        refresh=refresh,
        expires_in=settings.JWT_ACCESS_TOKEN_LIFETIME,
    )


def refresh_family_revoke(*, family: uuid.UUID) -> int:
    return RefreshToken.objects.filter(family=family, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def refresh_tokens_revoke_for(*, user: User) -> int:
    """Revoke every live refresh token of a user (sign-out, password change, disable)."""
    return RefreshToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def refresh_tokens_purge_expired() -> int:
    deleted, _ = RefreshToken.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted


def refresh_token_find(raw: str) -> RefreshToken | None:
    if not raw or len(raw) > 200:
        return None
    return RefreshToken.objects.select_related("user").filter(token_hash=_hash(raw)).first()


class RefreshReplayed(TokenInvalid):
    """A refresh token was used twice: its family has been revoked."""


def token_pair_rotate(*, refresh: str) -> TokenPair:
    """Trade a refresh token for a new pair. Raises TokenInvalid (RefreshReplayed when a used
    token came back: its family is revoked before this returns)."""
    row = refresh_token_find(refresh)
    if row is None:
        raise TokenInvalid("unknown")
    user = row.user
    now = timezone.now()
    if row.used_at is not None:
        refresh_family_revoke(family=row.family)
        raise RefreshReplayed("replayed", user_id=user.pk)
    if row.revoked_at is not None:
        raise TokenInvalid("revoked", user_id=user.pk)
    if row.expires_at <= now:
        raise TokenInvalid("expired", user_id=user.pk)
    if not user.is_active or not hmac.compare_digest(row.user_version, user_token_version(user)):
        refresh_family_revoke(family=row.family)
        raise TokenInvalid("stale", user_id=user.pk)
    with transaction.atomic():
        claimed = RefreshToken.objects.filter(
            pk=row.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if claimed == 1:
            new_refresh = _refresh_token_create(user=user, family=row.family)
    if claimed != 1:
        # Another request used this token a moment ago: one of the two is not its owner.
        refresh_family_revoke(family=row.family)
        raise RefreshReplayed("replayed", user_id=user.pk)
    return TokenPair(
        access=access_token_issue(user=user),
        refresh=new_refresh,
        expires_in=settings.JWT_ACCESS_TOKEN_LIFETIME,
    )
