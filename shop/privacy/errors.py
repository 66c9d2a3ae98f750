"""Typed errors of the privacy domain. The API and the storefront map them to responses."""

from shop.core.errors import Conflict, ShopError


class PasswordIncorrect(ShopError):
    """The password given to confirm an export or an erasure is not the account's."""

    code = "password_incorrect"
    status = 403
    message = "The password is not correct."


class StaffAccountKept(Conflict):
    """Staff accounts are closed by an administrator (roles removed, account disabled), so
    that the audit trail of what they did keeps naming them."""

    code = "staff_account"
    message = (
        "Staff accounts cannot be deleted here. Ask an administrator to close this account."
    )


class OrdersOpen(Conflict):
    """The account has orders that are not finished (waiting for payment, paid but not
    shipped, or with money moving): erasing it now would leave a paid order nobody can ship.
    It can be erased once they have shipped, or after staff cancelled them."""

    code = "orders_open"
    message = ("You have an order that is still being paid for or has not shipped yet. You "
               "can delete your account once it has shipped, or ask us to cancel it.")


class GuestOrderOpen(Conflict):
    """A guest order that is not finished (the same rule as OrdersOpen): its details are
    needed to deliver what was paid for."""

    code = "orders_open"
    message = ("This order is still being paid for or has not shipped yet. You can delete "
               "your details once it has shipped, or ask us to cancel it.")
