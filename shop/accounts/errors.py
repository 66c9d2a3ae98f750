"""Typed errors of the accounts domain. The API and the storefront map them to responses."""

from shop.core.errors import Conflict, ShopError


class InvalidCredentials(ShopError):
    """Unknown email and wrong password are this same error, with the same words."""

    code = "invalid_credentials"
    status = 401
    message = "Email or password is incorrect."


class NotAuthenticated(ShopError):
    """A missing, invalid, expired or revoked token. The reason goes to the security log."""

    code = "not_authenticated"
    status = 401
    message = "Authentication is required."


class Throttled(ShopError):
    code = "throttled"
    status = 429
    message = "Too many attempts. Please wait a few minutes and try again."

    def __init__(self, *, retry_after: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class EmailTaken(Conflict):
    code = "email_taken"
    message = "An account with this email address already exists."


class InvalidPassword(ShopError):
    """Django's password validators said no; the message lists their (safe) reasons."""

    code = "invalid_password"
    status = 422
    message = "This password is not allowed."

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages) or self.message)
        self.messages = messages


class InvalidField(ShopError):
    code = "invalid_input"
    status = 422
    message = "Invalid value."

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
