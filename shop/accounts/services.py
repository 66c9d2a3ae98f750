"""Accounts: registration, sign-in, passwords, profile, email verification, addresses.

Keyword-only, typed; the storefront (shop/web) and the API (shop/api) call these and map the
errors of shop/accounts/errors.py to responses. Reads of addresses go through
shop/policy/access.py.
"""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from shop.core.errors import Conflict
from shop.monitoring.models import SecurityEventKind
from shop.monitoring.services import security_event_record

from . import tokens
from .errors import (
    EmailTaken,
    InvalidCredentials,
    InvalidField,
    InvalidPassword,
    NotAuthenticated,
    Throttled,
)
from .models import MAX_ADDRESSES_PER_USER, Address, User
from .principal import Principal
from .throttle import (
    address_known_for,
    address_remember_for,
    email_fingerprint,
    email_normalize,
    lockout_retry_after,
    throttle_check,
    throttle_reset,
)

MAX_PASSWORD_LENGTH = 256  # longer inputs are refused before hashing (hashing cost is per byte)


# --- registration and sign-in


def email_clean(email: str) -> str:
    email = email_normalize(email)
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidField("email", "Enter a valid email address.") from None
    return email


def name_clean(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidField("name", "Enter your name.")
    if len(name) > 150:
        raise InvalidField("name", "Use at most 150 characters.")
    return name


def password_validate(*, password: str, user: User | None = None) -> None:
    if len(password or "") > MAX_PASSWORD_LENGTH:
        raise InvalidPassword([f"Use at most {MAX_PASSWORD_LENGTH} characters."])
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvalidPassword(list(error.messages)) from None


def user_register(*, email: str, password: str, name: str) -> User:
    """Create a customer account (unverified email). Raises InvalidField, InvalidPassword or
    EmailTaken. The password is hashed before the address is known to be taken, so a taken
    address costs the same time as a new account."""
    email = email_clean(email)
    name = name_clean(name)
    candidate = User(email=email, name=name)
    password_validate(password=password, user=candidate)
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password, name=name)  # type: ignore[no-any-return]
    except IntegrityError:
        raise EmailTaken() from None


def account_register(*, request: HttpRequest, email: str, password: str,
                     name: str) -> User | None:
    """Registration as the storefront and the API do it: throttled per address and per email;
    the new account (unverified: it can shop) gets a verification link by email. An address
    that already has an account gets an email to its owner instead ("someone tried to register
    with your address; sign in or reset your password") and None comes back: the caller
    answers exactly as for a new account, so that registration does not tell anyone whether
    an address has an account (OWASP). Invalid input is refused alike for both."""
    throttle_check(request=request, scope="register", account=email)
    base_url = site_base_url(request)
    try:
        user = user_register(email=email, password=password, name=name)
    except EmailTaken:
        owner = User.objects.filter(email=email_clean(email), is_active=True).first()
        if owner is not None:
            registration_attempt_notify(user=owner, base_url=base_url)
        return None
    email_verification_send(user=user, base_url=base_url)
    return user


def registration_attempt_notify(*, user: User, base_url: str) -> None:
    """Tell an account's owner that someone tried to register with their address."""
    context = {
        "user": user,
        "shop_name": settings.SHOP_NAME,
        "sign_in_link": base_url + reverse("web:sign_in"),
        "reset_link": base_url + reverse("web:password_reset"),
    }
    send_mail(
        subject=f"Someone tried to create a {settings.SHOP_NAME} account with your address",
        message=render_to_string("accounts/email/already_registered.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def user_sign_in(*, request: HttpRequest, email: str, password: str) -> User:
    """Check an email and password, throttled. Unknown email and wrong password raise the same
    InvalidCredentials after the same work (Django's ModelBackend hashes the password against
    a dummy for unknown users); both are counted and recorded alike."""
    email = email_normalize(email)
    # The account's cap slows guessing from many addresses; the owner's usual addresses are
    # not held back by it, so nobody can keep them out (the address cap and the lock of the
    # account and address pair still apply).
    known = address_known_for(request=request, account=email)
    throttle_check(request=request, scope="signin", account="" if known else email)
    if len(password or "") > MAX_PASSWORD_LENGTH:
        password = ""  # still goes through the same checks: no shortcut to time
    user = authenticate(request, username=email, password=password or "")
    if user is not None:
        address_remember_for(request=request, account=email)
        return user
    target_id = User.objects.filter(email=email).values_list("pk", flat=True).first()
    details = {"account": email_fingerprint(email)}
    if getattr(request, "axes_locked_out", False):
        security_event_record(
            kind=SecurityEventKind.SIGNIN_LOCKED,
            request=request,
            user_id=target_id,
            details=details,
        )
        raise Throttled(retry_after=lockout_retry_after())
    security_event_record(
        kind=SecurityEventKind.SIGNIN_FAILED, request=request, user_id=target_id, details=details
    )
    raise InvalidCredentials()


# --- API tokens


def token_sign_in(*, request: HttpRequest, email: str, password: str) -> tokens.TokenPair:
    user = user_sign_in(request=request, email=email, password=password)
    return tokens.token_pair_issue(user=user)


def token_refresh(*, request: HttpRequest, refresh: str) -> tokens.TokenPair:
    """Rotate a refresh token. Every refusal is the same NotAuthenticated for the client and a
    security event with the reason for us (a replay also revokes the token's family)."""
    throttle_check(request=request, scope="refresh")
    try:
        return tokens.token_pair_rotate(refresh=refresh)
    except tokens.TokenInvalid as refused:
        kind = (
            SecurityEventKind.REFRESH_REPLAY
            if isinstance(refused, tokens.RefreshReplayed)
            else SecurityEventKind.REFRESH_INVALID
        )
        security_event_record(
            kind=kind,
            request=request,
            user_id=refused.user_id,
            details={"reason": refused.reason},
        )
        raise NotAuthenticated() from None


def token_sign_out(*, principal: Principal, refresh: str = "") -> None:
    """API sign-out: this sign-in ends. Its refresh tokens are revoked in the database, and
    with them every access token of the sign-in (they name it; shop/accounts/tokens.py), on
    every worker at once. The refresh token sent along is revoked too when it is the
    caller's (a client that lost track of which sign-in its access token came from)."""
    if principal.user is None:
        return
    if principal.token_family is not None:
        tokens.refresh_family_revoke(family=principal.token_family)
    row = tokens.refresh_token_find(refresh) if refresh else None
    if row is not None and row.user_id == principal.user.pk:
        tokens.refresh_family_revoke(family=row.family)


# --- credentials: everything that must end every other session and token


def _credentials_revoke(*, user: User) -> None:
    """Bump the epoch (access tokens die) and revoke refresh tokens. Sessions die by
    themselves: Django's session hash is derived from the password hash."""
    User.objects.filter(pk=user.pk).update(auth_epoch=F("auth_epoch") + 1)
    user.refresh_from_db(fields=["auth_epoch"])
    tokens.refresh_tokens_revoke_for(user=user)


def user_password_set(*, user: User, password: str) -> None:
    """Set a new password (validated) and revoke every token issued before. The caller keeps
    its own browser session with update_session_auth_hash when it should."""
    password_validate(password=password, user=user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        _credentials_revoke(user=user)


def user_password_reset_complete(*, user: User, password: str) -> None:
    """A reset by emailed link: as a password change, and the sign-in lockout is lifted."""
    user_password_set(user=user, password=password)
    axes_reset(username=user.email)
    throttle_reset(scope="signin", kind="account", value=user.email)


def user_disable(*, user: User) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        _credentials_revoke(user=user)


def user_profile_update(*, user: User, name: str) -> User:
    user.name = name_clean(name)
    user.save(update_fields=["name"])
    return user


# --- email verification


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset-token machinery, for another purpose: valid for PASSWORD_RESET_TIMEOUT,
    and dead once used (the hash covers email_verified_at) or once the email changes."""

    key_salt = "shop.accounts.services.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):  # type: ignore[no-untyped-def]
        verified = user.email_verified_at.isoformat() if user.email_verified_at else ""
        return f"{user.pk}{user.email}{verified}{timestamp}"


email_verification_tokens = EmailVerificationTokenGenerator()


def site_base_url(request: HttpRequest) -> str:
    """Where links in emails point: SHOP_SITE_URL when set (production), else this request's
    own scheme and host (checked against ALLOWED_HOSTS by Django)."""
    configured = getattr(settings, "SHOP_SITE_URL", "")
    return configured.rstrip("/") if configured else request.build_absolute_uri("/").rstrip("/")


def email_verification_send(*, user: User, base_url: str) -> None:
    if user.is_email_verified:
        return
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_tokens.make_token(user)
    link = base_url + reverse("web:email_verify", args=[uidb64, token])
    context = {"user": user, "link": link, "shop_name": settings.SHOP_NAME}
    send_mail(
        subject=f"Confirm your email address for {settings.SHOP_NAME}",
        message=render_to_string("accounts/email/verify_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def email_verification_request(*, request: HttpRequest, user: User) -> None:
    """Resend the verification link, throttled per account."""
    throttle_check(request=request, scope="verify_email", account=user.email)
    email_verification_send(user=user, base_url=site_base_url(request))


def email_verification_confirm(*, uidb64: str, token: str) -> User | None:
    """Mark the email verified if the link is valid; None otherwise."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not email_verification_tokens.check_token(user, token):
        return None  # used links are dead too: the token covers email_verified_at
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return user  # type: ignore[no-any-return]


# --- addresses (reads: shop.policy.access.address_list_for / access_address)

ADDRESS_FIELDS = ("name", "line1", "line2", "city", "state", "postal_code", "country", "phone",
                  "is_default")


def _address_apply(address: Address, data: dict) -> Address:  # type: ignore[type-arg]
    for field in ADDRESS_FIELDS:
        if field in data:
            setattr(address, field, data[field])
    address.full_clean(exclude=["user"])
    with transaction.atomic():
        if address.is_default:
            Address.objects.filter(user_id=address.user_id, is_default=True).exclude(
                pk=address.pk
            ).update(is_default=False)
        elif not Address.objects.filter(user_id=address.user_id).exclude(pk=address.pk).exists():
            address.is_default = True  # the only address is the default one
        address.save()
    return address


def address_create(*, user: User, data: dict) -> Address:  # type: ignore[type-arg]
    if Address.objects.filter(user=user).count() >= MAX_ADDRESSES_PER_USER:
        raise Conflict(f"You can save up to {MAX_ADDRESSES_PER_USER} addresses.")
    return _address_apply(Address(user=user), data)


def address_update(*, address: Address, data: dict) -> Address:  # type: ignore[type-arg]
    """`address` must come from shop.policy.access.access_address (ownership checked)."""
    return _address_apply(address, data)


def address_delete(*, address: Address) -> None:
    """`address` must come from shop.policy.access.access_address (ownership checked)."""
    with transaction.atomic():
        was_default = address.is_default
        user_id = address.user_id
        address.delete()
        if was_default:
            successor = Address.objects.filter(user_id=user_id).order_by("id").first()
            if successor is not None:
                successor.is_default = True
                successor.save(update_fields=["is_default", "updated_at"])
