"""A guest deletes the personal data of their order, from the guest order page (/order/).

Two POSTs to `/order/erase/`, each with the order number and the token (as the order page
itself is reached: never in a URL): the first asks ("Yes, delete my details"), the second,
with `confirm=yes`, erases (shop/privacy/guest.py). A wrong token is the order page's one 404;
an open order is a 409 that says why. Throttled like the order page (`guest_order`).
Private, no-store.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from shop.accounts.errors import Throttled
from shop.accounts.throttle import throttle_check
from shop.core.errors import NotFound
from shop.privacy.errors import GuestOrderOpen
from shop.privacy.guest import guest_order_erase as erase
from shop.privacy.guest import guest_order_for_erasure

from ..forms_checkout import GuestOrderForm
from .accounts import throttled_page

TEMPLATE = "web/orders/guest_erase.html"


@sensitive_post_parameters("token")
@require_POST
def guest_order_erase(request: HttpRequest) -> HttpResponse:
    try:
        throttle_check(request=request, scope="guest_order")
    except Throttled as error:
        return throttled_page(request, error)
    form = GuestOrderForm(request.POST)
    try:
        if not form.is_valid():
            raise NotFound()
        number = form.cleaned_data["number"].strip().upper()
        token = form.cleaned_data["token"].strip()
        if request.POST.get("confirm") == "yes":
            erase(request=request, viewer=request.principal, number=number, token=token,
                  via="web")
            return render(request, TEMPLATE, {"erased": True, "number": number})
        guest_order_for_erasure(viewer=request.principal, number=number, token=token)
    except NotFound:
        return render(request, "web/orders/guest_lookup.html",
                      {"form": GuestOrderForm(), "not_found": True}, status=404)
    except GuestOrderOpen as error:
        return render(request, TEMPLATE, {"refused": error.message, "number": number},
                      status=409)
    return render(request, TEMPLATE, {"number": number, "token": token})
