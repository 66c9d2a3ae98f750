"""Changing records that are otherwise never changed: the audit log, for privacy only.

The audit log (shop/monitoring: AuditEvent) is append-only: the model refuses updates and a
database trigger refuses UPDATE (and DELETE on PostgreSQL). Privacy law asks for two changes to
it, and this module is the only code that makes them:

- an address older than SHOP_IP_RETENTION_DAYS is dropped (retention.py);
- an erased shopper's email address is cut out of what staff typed (a search for that address)
  and out of `actor_email` (a former staff member's own address; services.py).

Everything else about an audit row (who, what, which customer id, when) stays as it was.
`audit_log_unlocked()` lifts the trigger for one transaction only: on PostgreSQL the table's
user triggers are disabled and enabled again inside the transaction; on SQLite the triggers
are dropped and re-created from their own stored SQL. Both are transactional DDL: if the body
fails, the rollback puts the triggers back untouched.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from shop.monitoring.models import AuditEvent

ERASED = "[erased]"


@contextmanager
def audit_log_unlocked() -> Iterator[type[AuditEvent]]:
    """Inside: a transaction in which `AuditEvent._base_manager` may update audit rows. Only
    redaction code calls this."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield AuditEvent
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AuditEvent._meta.db_table],
            )
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            yield AuditEvent
            for _, sql in triggers:
                cursor.execute(sql)
        else:  # pragma: no cover - the shop runs on SQLite or PostgreSQL
            yield AuditEvent


def ip_network_of(address: str) -> str:
    """What is kept of an address in records that outlive the retention: its /24 (IPv4) or
    /48 (IPv6) network, e.g. "203.0.113.0/24"."""
    parsed = ipaddress.ip_address(address)
    prefix = 24 if parsed.version == 4 else 48
    return str(ipaddress.ip_network(f"{parsed}/{prefix}", strict=False))


def text_without(value: Any, needle: str) -> tuple[Any, bool]:
    """`value` (JSON-shaped) with every case-insensitive occurrence of `needle` in its strings
    (keys included) replaced by ERASED, and whether anything changed."""
    if isinstance(value, str):
        lowered, target = value.lower(), needle.lower()
        if target not in lowered:
            return value, False
        parts, start = [], 0
        while (found := lowered.find(target, start)) != -1:
            parts.append(value[start:found])
            parts.append(ERASED)
            start = found + len(target)
        parts.append(value[start:])
        return "".join(parts), True
    if isinstance(value, dict):
        changed = False
        result = {}
        for key, item in value.items():
            new_key, key_changed = text_without(key, needle)
            new_item, item_changed = text_without(item, needle)
            result[new_key] = new_item
            changed = changed or key_changed or item_changed
        return result, changed
    if isinstance(value, list):
        items = [text_without(item, needle) for item in value]
        return [item for item, _ in items], any(changed for _, changed in items)
    return value, False
