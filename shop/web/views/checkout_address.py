"""Storefront checkout, step 1: the delivery address (the other steps: checkout.py).

A signed-in shopper picks any of their saved addresses (read through shop/policy/access.py)
or types a new one, which they may save to their address book; a guest types one. Either
way the address is checked by the rules of shop/core/addresses.py, the address book's own.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from shop.accounts.services import address_create
from shop.core.addresses import FIELDS as ADDRESS_FIELDS
from shop.core.addresses import ShippingAddress
from shop.core.errors import Conflict, InvalidInput
from shop.policy.access import access_address, address_list_for

from ..forms_checkout import AddressForm
from .checkout import _guard, _page, shopper_required
from .checkout_state import checkout_state_save


@shopper_required
@require_http_methods(["GET", "POST"])
def checkout_address(request: HttpRequest) -> HttpResponse:
    state, summary, blocked = _guard(request, "address")
    if blocked:
        return blocked
    saved = list(address_list_for(viewer=request.principal))
    if request.method == "POST" and request.POST.get("saved"):
        return _address_saved_chosen(request, state)
    user = request.principal.user
    initial = state.get("address") or (
        saved[0].as_shipping() if saved else {"name": user.name if user else "", "country": "DE"}
    )
    form = AddressForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            address = ShippingAddress.clean(
                **{name: form.cleaned_data[name] for name in ADDRESS_FIELDS})
        except InvalidInput as error:
            form.add_error(None, error.message)
        else:
            if form.cleaned_data.get("save") and user is not None:
                _address_book_add(request, address)
            checkout_state_save(request, {**state, "address": address.as_dict()})
            return redirect("web:checkout_shipping")
    return _page(request, "web/checkout/address.html", "address", summary, state, form=form,
                 saved=saved, chosen=(state.get("address") or {}))


def _address_saved_chosen(request: HttpRequest, state: dict) -> HttpResponse:
    """One of the shopper's saved addresses (any of them, through the access layer), checked
    by the same rules as a typed one."""
    try:
        address_id = int(request.POST.get("saved", ""))
    except ValueError:
        address_id = 0
    saved = access_address(viewer=request.principal, address_id=address_id)
    try:
        address = ShippingAddress.clean(**saved.as_shipping())
    except InvalidInput as error:
        messages.error(request, f"{error.message} Edit the address or enter another one.")
        return redirect("web:checkout_address")
    checkout_state_save(request, {**state, "address": address.as_dict()})
    return redirect("web:checkout_shipping")


def _address_book_add(request: HttpRequest, address: ShippingAddress) -> None:
    try:
        address_create(user=request.principal.user, data=address.as_dict())
    except Conflict as error:
        messages.info(request, f"{error.message} This address was not saved.")
    except ValidationError:
        messages.info(request, "This address could not be saved to your address book.")
    else:
        messages.success(request, "Address saved to your address book.")
