"""Small private fragments that public pages load with htmx: who is signed in, the cart.
They are `private, no-store` (shop/policy/cache.py) and never cached anywhere."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def header(request: HttpRequest) -> HttpResponse:
    return render(request, "web/fragments/header.html", {"user": request.user})
