from shop.core.errors import ShopError


class StaffForbidden(ShopError):
    """The staff member's role does not allow this (403)."""

    code = "forbidden"
    status = 403
    message = "Your role does not allow this."
