from shop.core.errors import InvalidInput

from .models import ShippingMethod


def shipping_method_list() -> list[ShippingMethod]:
    return list(ShippingMethod.objects.filter(is_active=True).order_by("position", "code"))


def shipping_method_get(*, code: str) -> ShippingMethod:
    try:
        return ShippingMethod.objects.get(code=code, is_active=True)
    except ShippingMethod.DoesNotExist:
        raise InvalidInput("Unknown shipping method.", code="unknown_shipping_method") from None
