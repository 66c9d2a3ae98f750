from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from shop.core.errors import ShopError
from shop.staff import selectors, services
from shop.staff.roles import ROLE_LABELS, ROLES

from .common import actor, render_page


@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    return render_page(request, "dashboard/staff/list.html", {
        "members": selectors.staff_members(actor=actor(request)),
        "roles": [(role, ROLE_LABELS[role]) for role in ROLES],
        "me": request.principal.user_id,
    }, section="staff")


@require_POST
def staff_role(request: HttpRequest) -> HttpResponse:
    role = request.POST.get("role", "") or None
    try:
        user = services.staff_user_by_email(actor=actor(request),
                                            email=request.POST.get("email", "")[:254])
        services.staff_role_set(actor=actor(request), user_id=user.pk, role=role)
    except ShopError as error:
        messages.error(request, error.message)
    else:
        label = ROLE_LABELS.get(role or "", "")
        messages.success(
            request,
            f"{user.email} is now {label.lower()}." if role
            else f"{user.email} no longer has a staff role.",
        )
    return redirect("dashboard:staff_list")
