"""Signal receivers of the cart app, connected in CartConfig.ready."""

import logging

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .services import cart_merge_on_sign_in

logger = logging.getLogger("shop.cart")


@receiver(user_logged_in, dispatch_uid="shop.cart.merge_guest_cart_on_sign_in")
def merge_guest_cart_on_sign_in(sender, request, user, **kwargs) -> None:
    """The guest cart of the browser that signs in joins the user's cart. A failure here must
    not stop the sign-in: the guest cart stays where it was, and the error is logged."""
    session = getattr(request, "session", None) if request is not None else None
    if session is None:
        return
    try:
        change = cart_merge_on_sign_in(session=session, user=user)
    except Exception:
        logger.exception("merging the guest cart at sign-in failed")
        return
    if getattr(request, "_messages", None) is not None:
        for notice in change.notices:
            messages.info(request, notice)
