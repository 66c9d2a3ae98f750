"""`manage.py purge_personal_data`: exactly the records past SHOP_IP_RETENTION_DAYS lose their
client address (security events, audit events), alerts keep only the network of an address,
django-axes sign-in failure records are deleted, orphaned session register rows go; a second
run changes nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from shop.monitoring.models import Alert, AuditEvent, AuditLogImmutable, SecurityEvent
from shop.privacy.models import UserSession
from shop.privacy.retention import personal_data_purge
from tests.factories import create_user


def ago(days: float):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def records(db, settings):
    settings.SHOP_IP_RETENTION_DAYS = 90
    made = {"old": [], "young": []}
    for label, days in (("old", 91), ("old", 400), ("young", 89), ("young", 0)):
        event = SecurityEvent.objects.create(kind="signin_failed", user_id=7, ip="203.0.113.9",
                                             created_at=ago(days))
        audit = AuditEvent.objects.create(action="order.read", object_type="order",
                                          customer_id=7, actor_id=1, ip="2001:db8:5:6::9",
                                          created_at=ago(days))
        alert = Alert.objects.create(rule="signin_failure_burst", severity="warning",
                                     subject="address 198.51.100.23",
                                     summary="12 failed sign-ins for address 198.51.100.23.",
                                     created_at=ago(days))
        raised = SecurityEvent.objects.create(
            kind="alert_raised", created_at=ago(days),
            details={"rule": "signin_failure_burst", "alert": alert.pk,
                     "subject": "address 198.51.100.23"})
        attempt = AccessAttempt.objects.create(
            username="someone@example.com", ip_address="192.0.2.44", user_agent=f"test {days}",
            http_accept="*/*", path_info="/account/sign-in/", get_data="", post_data="",
            failures_since_start=1)
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=ago(days))
        made[label].append((event.pk, audit.pk, alert.pk, raised.pk, attempt.pk))
    return made


def snapshot():
    return (
        dict(SecurityEvent.objects.values_list("pk", "ip")),
        dict(AuditEvent.objects.values_list("pk", "ip")),
        dict(Alert.objects.values_list("pk", "subject")),
        {pk: d.get("subject") for pk, d in SecurityEvent.objects.values_list("pk", "details")},
        set(AccessAttempt.objects.values_list("pk", flat=True)),
    )


def test_exactly_the_records_past_the_limit_are_changed(records):
    before = snapshot()
    output = StringIO()
    call_command("purge_personal_data", stdout=output)
    events, audits, alerts, raised, attempts = snapshot()

    for event_pk, audit_pk, alert_pk, raised_pk, attempt_pk in records["old"]:
        assert events[event_pk] is None
        assert audits[audit_pk] is None
        assert alerts[alert_pk] == "address 198.51.100.0/24"
        assert Alert.objects.get(pk=alert_pk).summary == (
            "12 failed sign-ins for address 198.51.100.0/24.")
        assert raised[raised_pk] == "address 198.51.100.0/24"
        assert attempt_pk not in attempts
    for event_pk, audit_pk, alert_pk, raised_pk, attempt_pk in records["young"]:
        assert events[event_pk] == before[0][event_pk] == "203.0.113.9"
        assert audits[audit_pk] == before[1][audit_pk] == "2001:db8:5:6::9"
        assert alerts[alert_pk] == "address 198.51.100.23"
        assert raised[raised_pk] == "address 198.51.100.23"
        assert attempt_pk in attempts
    text = output.getvalue()
    assert "security event ips: 2" in text
    assert "audit event ips: 2" in text
    assert "alert addresses: 4" in text
    assert "signin failure records: 2" in text

    # idempotent: the second run finds nothing to do and changes nothing
    again = personal_data_purge()
    assert again.total == 0
    assert snapshot() == (events, audits, alerts, raised, attempts)


def test_the_audit_log_stays_append_only_outside_the_purge(records):
    personal_data_purge()
    audit = AuditEvent.objects.filter(ip__isnull=False).first()
    with pytest.raises(AuditLogImmutable):
        AuditEvent.objects.filter(pk=audit.pk).update(ip=None)
    from django.db import DatabaseError, connection, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE monitoring_auditevent SET ip = NULL WHERE id = %s", [audit.pk])
    assert AuditEvent.objects.get(pk=audit.pk).ip == "2001:db8:5:6::9"


def test_the_limit_is_a_setting(records, settings):
    settings.SHOP_IP_RETENTION_DAYS = 30
    personal_data_purge()
    (days_89, *_), (today, *_) = records["young"]
    assert SecurityEvent.objects.get(pk=days_89).ip is None
    assert SecurityEvent.objects.get(pk=today).ip == "203.0.113.9"


def test_sessions_that_are_gone_leave_the_register(db, client):
    ann = create_user("ann.register@example.com")
    client.force_login(ann)
    live = UserSession.objects.get(user=ann)
    UserSession.objects.create(user=ann, session_key="x" * 32)  # its session expired, cleared
    expired = Session.objects.create(session_key="y" * 32, session_data="e30:",
                                     expire_date=ago(1))
    report = personal_data_purge()
    assert list(UserSession.objects.filter(user=ann)) == [live]
    assert not Session.objects.filter(pk=expired.pk).exists()
    assert report.counts["expired_sessions"] == 1
    assert report.counts["session_register"] == 1
