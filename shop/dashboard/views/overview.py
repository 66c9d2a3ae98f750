from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from shop.catalog import staff_selectors as catalog_selectors
from shop.orders import staff_selectors as order_selectors
from shop.orders.models import OrderStatus
from shop.staff.roles import Perm

from ..charts import sales_bar_chart
from .common import actor, can, render_page


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    who = actor(request)
    sales = order_selectors.sales_overview(actor=who)
    counts = order_selectors.order_status_counts(actor=who)
    redo_count, redo = order_selectors.refunds_to_redo(actor=who)
    return render_page(request, "dashboard/overview.html", {
        "sales": sales,
        "chart": sales_bar_chart(sales.days, currency=sales.currency),
        "recent": order_selectors.recent_orders(actor=who),
        "low_stock": catalog_selectors.low_stock(actor=who),
        "to_fulfil": counts.get(OrderStatus.PAID, 0),
        "pending": counts.get(OrderStatus.PENDING_PAYMENT, 0),
        "refunds_to_redo": redo, "refunds_to_redo_count": redo_count,
        "can_view_orders": can(request, Perm.VIEW_ORDERS),
        "can_manage_catalog": can(request, Perm.MANAGE_CATALOG),
    }, section="overview")
