from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from shop.orders import staff_selectors
from shop.staff.roles import Perm

from .common import actor, can, render_page


@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    page = staff_selectors.customer_page(
        actor=actor(request), q=q, cursor=request.GET.get("cursor") or None
    )
    return render_page(request, "dashboard/customers/list.html", {"page": page, "q": q},
                       section="customers")


@require_GET
def customer_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    view = staff_selectors.customer_read(actor=actor(request), user_id=user_id)
    return render_page(request, "dashboard/customers/detail.html", {
        "customer": view, "can_view_orders": can(request, Perm.VIEW_ORDERS),
    }, section="customers")
