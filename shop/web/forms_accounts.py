"""Storefront account forms. They collect and shape input; the rules (password validators,
unique email, throttling) live in shop/accounts/services.py, whose errors the views put back
on the fields here. Django renders aria-invalid and aria-describedby for errors and help."""

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm

from shop.accounts.models import Address

PASSWORD_HELP = "At least 8 characters. Not only digits, not a common password, not your name."  # noqa: S105


def _attrs(**attrs: str) -> dict[str, str]:
    return {key.replace("_", "-"): value for key, value in attrs.items()}


class NoColonMixin:
    """Labels read "Email address", not "Email address:"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignInForm(NoColonMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs=_attrs(autocomplete="username", autofocus="autofocus")),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs=_attrs(autocomplete="current-password")),
    )


class RegisterForm(NoColonMixin, forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=150,
        widget=forms.TextInput(attrs=_attrs(autocomplete="name", autofocus="autofocus")),
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs=_attrs(autocomplete="email")),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=256,
        help_text=PASSWORD_HELP,
        widget=forms.PasswordInput(attrs=_attrs(autocomplete="new-password")),
    )


class ProfileForm(NoColonMixin, forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=150,
        widget=forms.TextInput(attrs=_attrs(autocomplete="name")),
    )


class AddressForm(NoColonMixin, forms.ModelForm):
    class Meta:
        model = Address
        fields = ["name", "line1", "line2", "city", "state", "postal_code", "country", "phone",
                  "is_default"]
        widgets = {
            "name": forms.TextInput(attrs=_attrs(autocomplete="shipping name")),
            "line1": forms.TextInput(attrs=_attrs(autocomplete="shipping address-line1")),
            "line2": forms.TextInput(attrs=_attrs(autocomplete="shipping address-line2")),
            "city": forms.TextInput(attrs=_attrs(autocomplete="shipping address-level2")),
            "postal_code": forms.TextInput(attrs=_attrs(autocomplete="shipping postal-code")),
            "country": forms.Select(attrs=_attrs(autocomplete="shipping country")),
            "state": forms.TextInput(attrs=_attrs(autocomplete="shipping address-level1")),
            "phone": forms.TextInput(attrs=_attrs(autocomplete="shipping tel", inputmode="tel")),
        }
        labels = {"is_default": "Use as my default shipping address",
                  "state": "State / province (US, Canada: required)"}


class ShopPasswordChangeForm(NoColonMixin, PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_HELP
        self.fields["new_password2"].label = "Repeat the new password"


class ShopPasswordResetForm(NoColonMixin, PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs=_attrs(autocomplete="email", autofocus="autofocus")),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class ShopSetPasswordForm(NoColonMixin, SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_HELP
        self.fields["new_password2"].label = "Repeat the new password"
