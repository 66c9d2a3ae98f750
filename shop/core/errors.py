"""Typed domain errors. Services raise them; one handler per interface (web, API) maps them to
responses. The message is written for the shopper; nothing internal goes in it."""


class ShopError(Exception):
    code = "error"
    status = 400
    message = "The request could not be processed."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        if code:
            self.code = code


class InvalidInput(ShopError):
    code = "invalid_input"
    status = 400
    message = "The request has an invalid parameter."


class NotFound(ShopError):
    """Missing and not-yours are the same error, with the same words."""

    code = "not_found"
    status = 404
    message = "Not found."


class Conflict(ShopError):
    code = "conflict"
    status = 409
    message = "The request conflicts with the current state."


GENERIC_MESSAGES = {
    400: ("bad_request", "The request could not be understood."),
    401: ("not_authenticated", "Authentication is required."),
    403: ("forbidden", "You are not allowed to do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    413: ("too_large", "The request is too large."),
    429: ("throttled", "Too many requests. Try again later."),
    500: ("server_error", "Something went wrong on our side. We have been told."),
}


def generic(status: int) -> tuple[str, str]:
    return GENERIC_MESSAGES.get(status, GENERIC_MESSAGES[500 if status >= 500 else 400])
