"""The staff API of security alerts: the alerts the anomaly rules raised (shop/monitoring/
alerts.py), newest first, and acknowledging one (audited). Admins only (the permission map,
shop/staff/permissions.py); bearer tokens only; private, no-store."""

from ninja import Query, Router

from shop.staff import security, services

from .admin import StaffBearer
from .schemas.alerts import AlertListOut, AlertOut, AlertQuery

router = Router(tags=["staff"], auth=StaffBearer())


@router.get("/admin/alerts", response=AlertListOut, url_name="admin_alerts")
def admin_alerts(request, query: Query[AlertQuery]):
    """Alerts raised by the anomaly rules, newest first; `open=true` for the unacknowledged."""
    return {"items": security.alert_list(
        actor=request.staff_actor, open_only=query.open, limit=query.limit
    )}


@router.post("/admin/alerts/{alert_id}/acknowledge", response=AlertOut,
             url_name="admin_alert_acknowledge")
def admin_alert_acknowledge(request, alert_id: int):
    """Acknowledge an alert (audited once; acknowledging it again changes nothing)."""
    services.alert_ack(actor=request.staff_actor, alert_id=alert_id)
    return security.alert_get(actor=request.staff_actor, alert_id=alert_id)
