"""Accounts and tokens (docs/contract.md §4). Every route here is private, no-store
(shop/policy/cache.py).

The /auth routes take no bearer token; /auth/logout and /me need one.
"""

import uuid

from ninja import Router, Status

from shop.accounts import services

from . import privacy
from .auth import bearer
from .schemas.accounts import (
    RefreshIn,
    RegisteredOut,
    RegisterIn,
    TokenIn,
    TokenPairOut,
    UserOut,
)
from .schemas.privacy import PasswordConfirmIn

router = Router(tags=["accounts"])


REGISTERED = ("Check your email: we have sent a link to confirm the address. You can sign in "
              "with your password now.")


@router.post("/auth/register", response={201: RegisteredOut}, url_name="auth_register")
def auth_register(request, payload: RegisterIn):
    """Create an account; a verification link is emailed (unverified accounts can shop). An
    address that already has an account answers the same, and its owner is emailed instead:
    registering tells nobody whether an address has an account. The id answered for a taken
    address is a random one, made the same way as a new account's own."""
    user = services.account_register(
        request=request, email=payload.email, password=payload.password, name=payload.name
    )
    account_id = user.public_id if user is not None else uuid.uuid4()
    return Status(201, {"id": str(account_id), "email": services.email_clean(payload.email),
                        "name": services.name_clean(payload.name), "detail": REGISTERED})


@router.post("/auth/token", response=TokenPairOut, url_name="auth_token")
def auth_token(request, payload: TokenIn):
    """Sign in: an access token (10 minutes) and a refresh token (14 days, single use)."""
    return services.token_sign_in(request=request, email=payload.email, password=payload.password)


@router.post("/auth/refresh", response=TokenPairOut, url_name="auth_refresh")
def auth_refresh(request, payload: RefreshIn):
    """Trade a refresh token for a new pair. The old refresh token stops working; presenting
    it again revokes every token of that sign-in."""
    return services.token_refresh(request=request, refresh=payload.refresh)


@router.post("/auth/logout", auth=bearer, response={204: None}, url_name="auth_logout")
def auth_logout(request, payload: RefreshIn):
    """Sign out: this sign-in ends. Its refresh tokens and access tokens (this one included)
    stop working at once."""
    services.token_sign_out(principal=request.auth, refresh=payload.refresh)
    return Status(204, None)


@router.get("/me", auth=bearer, response=UserOut, url_name="me")
def me(request):
    return request.auth.user


@router.delete("/me", auth=bearer, response={204: None}, url_name="me_erase")
def me_erase(request, payload: PasswordConfirmIn):
    """Erase the caller's account (password required). 204: sessions and tokens end at once;
    profile, addresses and cart are deleted; orders stay, without name, email or address.
    Staff accounts answer 409 (an administrator closes them). shop/api/privacy.py."""
    return privacy.me_erase(request, payload)
