"""Private, no-store answers that the cached pages use (shop/policy/cache.py); never cached
anywhere.

- private_sections: who is signed in and the cart count as JSON, for the header's script
  (shop/web/static/shop/private.js keeps it in sessionStorage and asks again only when the
  version cookie changed: shop/web/private.py), plus a CSRF token for the forms of cached
  pages, which the script uses and never stores;
- header: the account links as HTML (the header's former fragment, kept for clients that
  still load it).
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shop.cart.selectors import cart_for, cart_item_count


@require_GET
def private_sections(request: HttpRequest) -> JsonResponse:
    principal = request.principal
    signed_in = principal.is_authenticated
    cart = cart_for(viewer=principal, session=request.session)
    return JsonResponse(
        {
            "signed_in": signed_in,
            "name": (principal.user.get_short_name() or "there") if signed_in else "",
            "cart_count": cart_item_count(cart=cart),
            "csrf_token": get_token(request),
        }
    )


def header(request: HttpRequest) -> HttpResponse:
    """The account links of the header. Private, so it may carry the sign-out form's CSRF
    token. The cart count joins the context (and the template's cart block) with the cart."""
    return render(request, "web/fragments/header.html", {"principal": request.principal})
