"""Small private fragments that public pages load with htmx: who is signed in, the cart.
They are `private, no-store` (shop/policy/cache.py) and never cached anywhere."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def header(request: HttpRequest) -> HttpResponse:
    """The account links of the header. Private, so it may carry the sign-out form's CSRF
    token. The cart count joins the context (and the template's cart block) with the cart."""
    return render(request, "web/fragments/header.html", {"principal": request.principal})
