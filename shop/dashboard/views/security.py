"""Security: alerts (refreshed every few seconds with htmx), security events, the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from shop.monitoring.alerts import RULES
from shop.monitoring.models import SecurityEventKind
from shop.staff import security, services

from .common import actor, render_page


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _live(request: HttpRequest) -> dict:
    who = actor(request)
    return {
        "alerts": security.alert_list(actor=who, limit=20),
        "summary": security.security_summary(actor=who),
        "events": security.security_event_page(actor=who, limit=12).items,
    }


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    return render_page(request, "dashboard/security/overview.html", {
        **_live(request),
        "audit": security.audit_event_page(actor=actor(request), limit=12).items,
        "rules": RULES,
    }, section="security")


@require_GET
def alerts_fragment(request: HttpRequest) -> HttpResponse:
    """Alerts and the latest security events, polled by the security page every 5 s."""
    return render(request, "dashboard/security/_live.html", _live(request))


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")[:64]
    user_id = _int(request.GET.get("user"))
    page = security.security_event_page(
        actor=actor(request), kind=kind, user_id=user_id, before=_int(request.GET.get("before"))
    )
    return render_page(request, "dashboard/security/events.html", {
        "page": page, "kind": kind, "user": user_id or "", "kinds": SecurityEventKind.choices,
    }, section="security")


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    customer_id = _int(request.GET.get("customer"))
    actor_id = _int(request.GET.get("actor"))
    action = request.GET.get("action", "")[:64]
    page = security.audit_event_page(
        actor=actor(request), customer_id=customer_id, actor_id=actor_id, action=action,
        before=_int(request.GET.get("before")),
    )
    return render_page(request, "dashboard/security/audit.html", {
        "page": page, "customer": customer_id or "", "actor_filter": actor_id or "",
        "action": action,
    }, section="security")


@require_POST
def alert_ack(request: HttpRequest, alert_id: int) -> HttpResponse:
    if services.alert_ack(actor=actor(request), alert_id=alert_id):
        messages.success(request, "Alert acknowledged.")
    return redirect("dashboard:security")
