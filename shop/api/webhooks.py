"""Webhooks from the payment provider: POST /webhooks/stripe.

- No session, no cookie, no CSRF token: Stripe is not a browser. CSRF protection is replaced
  by what actually authenticates the sender, the stripe package's signature check with the
  endpoint's secret (shop/orders/payments/stripe_webhooks.py); a forged or stale signature is
  a 400 and changes nothing.
- Private, no-store (shop/policy/cache.py), like everything that is not public.
- The answer is a fixed acknowledgement that carries no order data (the ownership guard lets
  webhook routes load orders for that reason: shop/policy/ownership.py).
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shop.orders.payments.stripe_webhooks import BadSignature, stripe_event_receive

MAX_BODY = 256 * 1024


@csrf_exempt  # authenticated by the provider's signature instead (see above)
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    if len(request.body) > MAX_BODY:
        return JsonResponse({"error": {"code": "too_large", "message": "Too large."}},
                            status=413)
    try:
        stripe_event_receive(payload=request.body,
                             signature=request.headers.get("Stripe-Signature"))
    except BadSignature as error:
        return JsonResponse({"error": {"code": error.code, "message": error.message}},
                            status=400)
    return JsonResponse({"received": True})
