"""Storefront cart and checkout forms. They shape input; the rules (stock, caps, address and
card checks) live in shop/cart/services.py and shop/orders/. No form here has a price, total,
owner or status field: the server computes those."""

from django import forms

from shop.cart.models import MAX_LINE_QUANTITY
from shop.core.addresses import FIELD_LIMITS, SHIPPING_COUNTRIES


def _attrs(**attrs: str) -> dict[str, str]:
    return {key.replace("_", "-"): value for key, value in attrs.items()}


class ShopForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CartLineForm(ShopForm):
    """A line's quantity: 0 to MAX_LINE_QUANTITY here; the cart page's input says the line's
    own limit (what can be bought now), and so does the view's error (shop/web/views/cart.py)."""

    sku = forms.CharField(max_length=64)
    quantity = forms.IntegerField(min_value=0, max_value=MAX_LINE_QUANTITY, required=False)


class AddressForm(ShopForm):
    name = forms.CharField(
        label="Full name", max_length=FIELD_LIMITS["name"],
        widget=forms.TextInput(attrs=_attrs(autocomplete="shipping name")),
    )
    line1 = forms.CharField(
        label="Address", max_length=FIELD_LIMITS["line1"],
        widget=forms.TextInput(attrs=_attrs(autocomplete="shipping address-line1")),
    )
    line2 = forms.CharField(
        label="Apartment, suite, etc. (optional)", max_length=FIELD_LIMITS["line2"],
        required=False,
        widget=forms.TextInput(attrs=_attrs(autocomplete="shipping address-line2")),
    )
    postal_code = forms.CharField(
        label="Postal code", max_length=FIELD_LIMITS["postal_code"],
        widget=forms.TextInput(attrs=_attrs(autocomplete="shipping postal-code")),
    )
    city = forms.CharField(
        label="City", max_length=FIELD_LIMITS["city"],
        widget=forms.TextInput(attrs=_attrs(autocomplete="shipping address-level2")),
    )
    country = forms.ChoiceField(
        label="Country",
        choices=sorted(SHIPPING_COUNTRIES.items(), key=lambda item: item[1]),  # type: ignore[arg-type, return-value]
        widget=forms.Select(attrs=_attrs(autocomplete="shipping country")),
    )


class ShippingForm(ShopForm):
    shipping_method = forms.CharField(max_length=40)


# One message per field for every way a value can be wrong: the browser's min/max (Django sets
# them from min_value/max_value) and the server's words name the same limits.
MONTH_ERRORS = dict.fromkeys(("required", "invalid", "min_value", "max_value"),
                             "Enter the month as a number from 1 to 12.")
YEAR_ERRORS = dict.fromkeys(("required", "invalid", "min_value", "max_value"),
                            "Enter the year as four digits, for example 2031.")


class PaymentForm(ShopForm):
    """The card goes from this form to the gateway's tokenize() and nowhere else; on an error
    the number is never rendered back into the page."""

    card_number = forms.CharField(
        label="Card number", max_length=23,
        widget=forms.TextInput(attrs=_attrs(
            autocomplete="cc-number", inputmode="numeric", placeholder="1234 1234 1234 1234"
        )),
    )
    exp_month = forms.IntegerField(
        label="Month", min_value=1, max_value=12, error_messages=MONTH_ERRORS,
        widget=forms.NumberInput(attrs=_attrs(autocomplete="cc-exp-month", placeholder="MM")),
    )
    exp_year = forms.IntegerField(
        label="Year", min_value=2000, max_value=2100, error_messages=YEAR_ERRORS,
        widget=forms.NumberInput(attrs=_attrs(autocomplete="cc-exp-year", placeholder="YYYY")),
    )
    cvc = forms.CharField(
        label="Security code", max_length=4,
        widget=forms.TextInput(attrs=_attrs(
            autocomplete="cc-csc", inputmode="numeric", placeholder="CVC"
        )),
    )
