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
