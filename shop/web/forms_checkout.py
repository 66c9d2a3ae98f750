"""Storefront cart and checkout forms. They shape input; the rules (stock, caps, address and
card checks) live in shop/cart/services.py and shop/orders/. No form here has a price, total,
owner or status field: the server computes those."""

from django import forms

from shop.cart.models import MAX_LINE_QUANTITY
from shop.core.addresses import COUNTRY_CHOICES, FIELD_LIMITS, address_errors, address_normalise


def _attrs(**attrs: str) -> dict[str, str]:
    return {key.replace("_", "-"): value for key, value in attrs.items()}


class ShopForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CartLineForm(ShopForm):
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
    state = forms.CharField(
        label="State / province (US, Canada: required)", max_length=FIELD_LIMITS["state"],
        required=False,
        widget=forms.TextInput(attrs=_attrs(autocomplete="shipping address-level1")),
    )
    country = forms.ChoiceField(
        label="Country", choices=COUNTRY_CHOICES,
        widget=forms.Select(attrs=_attrs(autocomplete="shipping country")),
    )
    phone = forms.CharField(
        label="Phone (optional, for the courier)", max_length=FIELD_LIMITS["phone"],
        required=False,
        widget=forms.TextInput(attrs=_attrs(autocomplete="shipping tel", inputmode="tel")),
    )
    save = forms.BooleanField(label="Save this address to my address book", required=False)

    def clean(self):
        """The address rules of shop/core/addresses.py, per field (as the address book)."""
        data = super().clean() or {}
        if self.errors:
            return data
        values = address_normalise(data)
        for field, message in address_errors(values).items():
            self.add_error(field if field in self.fields else None, message)
        data.update(values)
        return data


class GuestEmailForm(ShopForm):
    email = forms.EmailField(
        label="Your e-mail address", max_length=254,
        help_text="We send the order confirmation and your order link here.",
        widget=forms.EmailInput(attrs=_attrs(autocomplete="email", autofocus="autofocus")),
    )


class GuestOrderForm(ShopForm):
    """The guest order page's form: the number and the token are POSTed, never in a URL."""

    number = forms.CharField(label="Order number", max_length=20)
    token = forms.CharField(label="Order token", max_length=100,
                            widget=forms.PasswordInput(render_value=False))


class ShippingForm(ShopForm):
    shipping_method = forms.CharField(max_length=40)


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
        label="Month", min_value=1, max_value=12,
        widget=forms.NumberInput(attrs=_attrs(autocomplete="cc-exp-month", placeholder="MM")),
    )
    exp_year = forms.IntegerField(
        label="Year", min_value=2000, max_value=2100,
        widget=forms.NumberInput(attrs=_attrs(autocomplete="cc-exp-year", placeholder="YYYY")),
    )
    cvc = forms.CharField(
        label="Security code", max_length=4,
        widget=forms.TextInput(attrs=_attrs(
            autocomplete="cc-csc", inputmode="numeric", placeholder="CVC"
        )),
    )
